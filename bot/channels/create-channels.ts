import type { Channel } from '../../core/model/outbox-message.js';
import type { AlertChannel } from '../../core/ports/alert-channel.js';
import type { Config } from '../runtime/config.js';
import { EmailChannel } from './email-channel.js';
import { TeamsChannel } from '../teams/teams-channel.js';
import { checkTeamsConfig, teamsEnabled } from '../teams/teams-config.js';
import { SlackChannel } from '../slack/slack-channel.js';

/** The sender address when SMTP_FROM is not set: dualkey@ the public host (or localhost). */
export function defaultFromAddress(config: Pick<Config, 'PUBLIC_URL'>): string {
  const host = config.PUBLIC_URL ? new URL(config.PUBLIC_URL).hostname : '';
  return `dualkey@${host || 'localhost'}`;
}

/** The alert channels the configuration enables (e-mail when SMTP_URL is set; Teams with its credentials or the development flag). */
export function createChannels(config: Config): Partial<Record<Channel, AlertChannel>> {
  const channels: Partial<Record<Channel, AlertChannel>> = {};
  if (config.SMTP_URL) channels.email = new EmailChannel({ smtpUrl: config.SMTP_URL, from: config.SMTP_FROM ?? defaultFromAddress(config), publicUrl: config.PUBLIC_URL });
  if (config.SLACK_BOT_TOKEN) channels.slack = new SlackChannel({ token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL });
  checkTeamsConfig(config);
  if (teamsEnabled(config)) channels.teams = new TeamsChannel();
  return channels;
}
