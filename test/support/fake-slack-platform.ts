import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../../core/ports/clock.js';
import type { FakeSlackApi, PostedMessage } from './fake-slack-api.js';

/** What the dualkey server answered. */
export interface Delivered {
  status: number;
  text: string;
  /** The response_url the request carried (commands and clicks). */
  responseUrl: string;
}

/** The test's own v0 signature: hex HMAC-SHA256 of `v0:{timestamp}:{body}`, independent of bot/slack. */
export function signV0(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/**
 * Slack's side of inbound traffic: builds slash-command, block_actions and Events API requests as
 * Slack sends them, signs them with the test clock's time, and posts them to dualkey's /slack/events.
 */
export class FakeSlackPlatform {
  constructor(private readonly o: { serverUrl: string; signingSecret: string; clock: Clock; api: FakeSlackApi; teamId: string }) {}

  /** Signs and posts a raw body; `headers` may override or drop (empty value) the signing headers. */
  async post(body: string, contentType: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    const timestamp = String(Math.floor(this.o.clock.now().getTime() / 1000));
    const all: Record<string, string> = {
      'content-type': contentType,
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signV0(this.o.signingSecret, timestamp, body),
      ...headers,
    };
    const res = await fetch(`${this.o.serverUrl}/slack/events`, { method: 'POST', body, headers: Object.fromEntries(Object.entries(all).filter(([, v]) => v !== '')) });
    return { status: res.status, text: await res.text() };
  }

  /** `/dualkey <text>` typed by `userId`. */
  async command(userId: string, text: string, teamId = this.o.teamId): Promise<Delivered> {
    const responseUrl = this.o.api.responseUrl();
    const form = new URLSearchParams({
      token: 'deprecated-verification-token', team_id: teamId, team_domain: 'acme', channel_id: 'C0GENERAL', channel_name: 'general',
      user_id: userId, user_name: userId.toLowerCase(), command: '/dualkey', text, api_app_id: 'A0DUALKEY', is_enterprise_install: 'false',
      response_url: responseUrl, trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}`,
    });
    return { ...(await this.post(form.toString(), 'application/x-www-form-urlencoded')), responseUrl };
  }

  /** `userId` clicks the button `actionId` of a message the fake API holds (its value and block as posted). */
  async click(userId: string, message: PostedMessage, actionId: string): Promise<Delivered> {
    const block = message.blocks.find((b) => b.type === 'actions') as { block_id?: string; elements: Array<Record<string, unknown>> } | undefined;
    const button = block?.elements.find((e) => e.action_id === actionId);
    if (!block || !button) throw new Error(`message ${message.ts} has no ${actionId} button`);
    const responseUrl = this.o.api.responseUrl();
    const payload = {
      type: 'block_actions',
      user: { id: userId, username: userId.toLowerCase(), team_id: this.o.teamId },
      api_app_id: 'A0DUALKEY', token: 'deprecated-verification-token', trigger_id: `${Date.now()}.${randomBytes(4).toString('hex')}`,
      team: { id: this.o.teamId, domain: 'acme' },
      container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
      channel: { id: message.channel, name: 'directmessage' },
      message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks },
      response_url: responseUrl,
      actions: [{ type: 'button', action_id: actionId, block_id: block.block_id ?? 'b', text: button.text, value: button.value, style: button.style, action_ts: String(this.o.clock.now().getTime() / 1000) }],
    };
    const form = new URLSearchParams({ payload: JSON.stringify(payload) });
    return { ...(await this.post(form.toString(), 'application/x-www-form-urlencoded')), responseUrl };
  }

  /** An Events API `event_callback`; `retryNum` adds Slack's redelivery headers. */
  async event(event: Record<string, unknown>, eventId: string, retryNum?: number): Promise<{ status: number; text: string }> {
    const body = JSON.stringify({
      token: 'deprecated-verification-token', team_id: this.o.teamId, api_app_id: 'A0DUALKEY', type: 'event_callback', event_id: eventId,
      event_time: Math.floor(this.o.clock.now().getTime() / 1000), event, authorizations: [{ team_id: this.o.teamId, user_id: 'U0BOT', is_bot: true }],
    });
    const retry: Record<string, string> = retryNum === undefined ? {} : { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': 'http_timeout' };
    return this.post(body, 'application/json', retry);
  }
}
