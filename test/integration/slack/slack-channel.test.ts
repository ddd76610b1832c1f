import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keyChangeOpened, requestDecided } from '../../../core/alerts/alert-messages.js';
import type { Admin } from '../../../core/model/admin.js';
import type { AlertMessage } from '../../../core/model/outbox-message.js';
import type { Request } from '../../../core/model/request.js';
import type { OutgoingAlert } from '../../../core/ports/alert-channel.js';
import { classifySlackError } from '../../../bot/slack/classify-slack-error.js';
import { SlackChannel } from '../../../bot/slack/slack-channel.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';

const TOKEN = 'xoxb-1-2-channeltest';
const ann: Admin = { id: 'a1', tenantId: 't1', email: 'ann@example.com', name: 'Ann', role: 'global_admin', instances: [], identities: [{ platform: 'slack', workspace: 'T0ACME', userId: 'U0ANN' }], createdAt: new Date(0) };
const request: Request = {
  id: 'r-abcdefghij', tenantId: 't1', instanceId: 'i1', type: 'key_change', state: 'pending', requestedBy: 'a1', requestedVia: 'slack',
  payload: { operation: 'upload', keyName: 'crm-prod Encryption Key', fingerprint: 'sha256:new', previousKeyName: 'service key', previousFingerprint: 'sha256:old' },
  openedAt: new Date('2026-11-29T09:00:00Z'), deadline: new Date('2026-12-02T09:00:00Z'), decidedBy: null, decidedAt: null, decisionReason: null,
};
const alert = (message: AlertMessage, recipient: Admin = ann, key = 'row-1'): OutgoingAlert => ({ idempotencyKey: key, recipient, address: null, message, uncertain: false });
const buttons = (blocks: Array<Record<string, unknown>>) => blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements as Array<Record<string, unknown>>);

/** SlackChannel against the fake Web API: DMs, updates in place, and how each Slack refusal maps to an outbox retry. */
describe('the Slack alert channel', () => {
  let api: FakeSlackApi;
  let channel: SlackChannel;

  beforeAll(async () => {
    api = await FakeSlackApi.start(TOKEN);
  });
  beforeEach(() => {
    channel = new SlackChannel({ token: TOKEN, apiUrl: api.apiUrl });
  });
  afterAll(() => api?.close());

  it('opens the recipient\'s DM and posts Block Kit with Approve / Roll back buttons carrying the request id; the ref is channel + ts', async () => {
    const result = await channel.deliver(alert(keyChangeOpened(request, 'crm-prod', ann, 'rollback')));
    expect(result).toMatchObject({ ok: true, platformRef: { channel: 'D0ANN', ts: expect.stringMatching(/^\d+\.\d{6}$/) } });
    const posted = api.messages.get(`D0ANN/${(result as { platformRef: Record<string, string> }).platformRef.ts}`)!;
    expect(buttons(posted.blocks).map((b) => [b.action_id, b.value, b.style])).toEqual([['approve', request.id, 'primary'], ['rollback', request.id, 'danger']]);
    expect(posted.blocks[0]).toMatchObject({ type: 'header' });
    expect(posted.text).toContain('sha256:new');
  });

  it('updates the same message to the decided state with chat.update: no buttons, who and when', async () => {
    const sent = await channel.deliver(alert(keyChangeOpened(request, 'crm-prod', ann, 'rollback')));
    const ref = (sent as { platformRef: Record<string, string> }).platformRef;
    const decided = { ...request, state: 'approved' as const, decidedBy: 'b1', decidedAt: new Date('2026-11-30T10:00:00Z') };
    const bob = { ...ann, id: 'b1', email: 'bob@example.com', name: 'Bob' };
    const updated = await channel.update(alert(requestDecided(decided, 'crm-prod', bob), ann, 'row-2'), ref);
    expect(updated).toMatchObject({ ok: true, platformRef: { channel: ref.channel, ts: ref.ts } });
    const message = api.messages.get(`${ref.channel}/${ref.ts}`)!;
    expect(message.updates).toBe(1);
    expect(buttons(message.blocks)).toEqual([]);
    expect(message.text).toContain('approved by bob@example.com at 2026-11-30 10:00 UTC');
    expect(JSON.stringify(message.blocks)).toContain('Was: Key changed on crm-prod');
  });

  it('posts the decision as a new message when the original can no longer be updated', async () => {
    const decided = { ...request, state: 'rejected' as const, decidedAt: new Date('2026-11-30T10:00:00Z') };
    const before = api.calls.length;
    const result = await channel.update(alert(requestDecided(decided, 'crm-prod', ann)), { channel: 'D0ANN', ts: '1.000001' });
    expect(result).toMatchObject({ ok: true, platformRef: { channel: 'D0ANN' } });
    expect(api.calls.slice(before).map((c) => [c.method, c.error])).toEqual([['chat.update', 'message_not_found'], ['conversations.open', null], ['chat.postMessage', null]]);
  });

  it('returns 429 to the outbox with Retry-After in ms, without retrying inside the WebClient', async () => {
    await channel.deliver(alert(keyChangeOpened(request, 'crm-prod', ann, 'rollback')));
    const before = api.calls.length;
    api.rateLimit('chat.postMessage', 1, 30);
    const result = await channel.deliver(alert(keyChangeOpened(request, 'crm-prod', ann, 'rollback')));
    expect(result).toEqual({ ok: false, retryable: true, retryAfterMs: 30_000, error: 'slack chat.postMessage: rate limited (Retry-After 30 s)' });
    expect(api.calls.slice(before).map((c) => [c.method, c.status])).toEqual([['chat.postMessage', 429]]);
  });

  it('keeps retrying a rejected token (fixing the configuration lets alerts out) and never puts the token in the error', async () => {
    const wrong = new SlackChannel({ token: 'xoxb-wrong-token', apiUrl: api.apiUrl });
    const result = await wrong.deliver(alert(keyChangeOpened(request, 'crm-prod', ann, 'rollback')));
    expect(result).toEqual({ ok: false, retryable: true, retryAfterMs: null, error: 'slack conversations.open: invalid_auth' });
  });

  it('fails for good what Slack will never accept: no linked Slack identity, unknown user, invalid blocks', async () => {
    const noSlack = await channel.deliver(alert(keyChangeOpened(request, 'crm-prod', ann, 'rollback'), { ...ann, identities: [] }));
    expect(noSlack).toMatchObject({ ok: false, retryable: false });
    const ghost = await channel.deliver(alert(keyChangeOpened(request, 'crm-prod', ann, 'rollback'), { ...ann, identities: [{ platform: 'slack', workspace: 'T0ACME', userId: 'not-a-user' }] }));
    expect(ghost).toEqual({ ok: false, retryable: false, retryAfterMs: null, error: 'slack conversations.open: user_not_found' });
    const raw = new webApi.WebClient(TOKEN, { slackApiUrl: api.apiUrl, retryConfig: { retries: 0 } });
    const error = await raw.chat.postMessage({ channel: 'D0ANN', text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }).catch((e: unknown) => e);
    expect(classifySlackError('chat.postMessage', error)).toEqual({ ok: false, retryable: false, retryAfterMs: null, error: 'slack chat.postMessage: invalid_blocks' });
  });
});
