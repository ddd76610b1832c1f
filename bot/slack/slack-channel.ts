import type { AlertChannel, DeliveryResult, OutgoingAlert } from '../../core/ports/alert-channel.js';
import type { Logger } from '../../core/ports/logger.js';
import { silentLogger } from '../runtime/json-logger.js';
import { truncate } from './block-kit.js';
import { classifySlackError, slackErrorCode } from './classify-slack-error.js';
import { renderAlertBlocks } from './render-alert-blocks.js';
import type { SlackWebClient } from './slack-web-client.js';

/** The bot token and where the Web API is (SLACK_API_URL), or a ready client (tests). */
export type SlackChannelOptions = { logger?: Logger } & ({ token: string; apiUrl?: string | undefined } | { client: SlackWebClient });

// chat.update cannot reach the message any more: the decision goes out as a new message instead.
const GONE = new Set(['message_not_found', 'channel_not_found', 'cant_update_message', 'edit_window_closed', 'is_archived']);

/**
 * Alerts as Block Kit DMs: conversations.open + chat.postMessage (platformRef = channel + ts), and
 * after a decision chat.update of that very message to the decided state, without buttons.
 */
export class SlackChannel implements AlertChannel {
  readonly name = 'slack' as const;
  private clientPromise: Promise<SlackWebClient> | null;
  /** DM channel ids by user id: conversations.open returns the same one every time. */
  private readonly dms = new Map<string, string>();

  constructor(private readonly opts: SlackChannelOptions) {
    this.clientPromise = 'client' in opts ? Promise.resolve(opts.client) : null;
  }

  /** The WebClient, loaded on first use: CLI runs build this channel without ever sending (and Bolt loads slowly). */
  private client(): Promise<SlackWebClient> {
    const o = this.opts;
    this.clientPromise ??= 'client' in o ? Promise.resolve(o.client) : import('./slack-web-client.js').then((m) => m.createSlackWebClient(o.token, o.apiUrl, o.logger ?? silentLogger));
    return this.clientPromise;
  }

  async deliver(alert: OutgoingAlert): Promise<DeliveryResult> {
    // A tenant alert channel is posted to directly; an admin gets a DM.
    const identity = alert.recipient?.identities.find((i) => i.platform === 'slack');
    if (!identity && !alert.address) return { ok: false, retryable: false, retryAfterMs: null, error: 'the recipient has no linked Slack identity' };
    let channel = identity ? this.dms.get(identity.userId) : alert.address!;
    if (!channel && identity) {
      try {
        const opened = await (await this.client()).conversations.open({ users: identity.userId });
        channel = opened.channel?.id;
        if (!channel) return { ok: false, retryable: true, retryAfterMs: null, error: 'slack conversations.open: no channel in the answer' };
        this.dms.set(identity.userId, channel);
      } catch (e) {
        return classifySlackError('conversations.open', e);
      }
    }
    if (!channel) return { ok: false, retryable: false, retryAfterMs: null, error: 'no Slack destination for this alert' };
    const { text, blocks } = renderAlertBlocks(alert.message);
    try {
      const posted = await (await this.client()).chat.postMessage({ channel, text, blocks, unfurl_links: false, unfurl_media: false });
      if (!posted.ts) return { ok: false, retryable: true, retryAfterMs: null, error: 'slack chat.postMessage: no ts in the answer' };
      return { ok: true, platformRef: { channel, ts: posted.ts, title: truncate(alert.message.title, 300) } };
    } catch (e) {
      if (slackErrorCode(e) === 'channel_not_found' && identity) this.dms.delete(identity.userId);
      return classifySlackError('chat.postMessage', e);
    }
  }

  async update(alert: OutgoingAlert, previous: Record<string, string>): Promise<DeliveryResult> {
    const { channel, ts } = previous;
    if (!channel || !ts) return this.deliver(alert);
    const { text, blocks } = renderAlertBlocks(alert.message, previous.title);
    try {
      await (await this.client()).chat.update({ channel, ts, text, blocks });
      return { ok: true, platformRef: { channel, ts, title: previous.title ?? truncate(alert.message.title, 300) } };
    } catch (e) {
      if (GONE.has(slackErrorCode(e) ?? '')) return this.deliver(alert);
      return classifySlackError('chat.update', e);
    }
  }
}
