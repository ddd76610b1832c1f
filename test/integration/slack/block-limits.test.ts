import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDigest } from '../../../core/digest/build-digest.js';
import type { Admin } from '../../../core/model/admin.js';
import type { AlertMessage } from '../../../core/model/outbox-message.js';
import type { DigestFacts } from '../../../core/ports/store.js';
import type { ChatReply } from '../../../bot/commands/chat-reply.js';
import { capBlocks, section } from '../../../bot/slack/block-kit.js';
import { renderAlertBlocks } from '../../../bot/slack/render-alert-blocks.js';
import { renderReplyBlocks } from '../../../bot/slack/render-reply-blocks.js';
import { SlackChannel } from '../../../bot/slack/slack-channel.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { blockErrors } from '../../support/fake-slack-blocks.js';

const TOKEN = 'xoxb-1-2-limits';
const ann: Admin = { id: 'a1', tenantId: 't1', email: 'ann@example.com', name: 'Ann', role: 'global_admin', instances: [], identities: [{ platform: 'slack', workspace: 'T0ACME', userId: 'U0ANN' }], createdAt: new Date(0) };
const now = new Date('2026-11-29T09:00:00Z');
const long = (n: number) => 'x'.repeat(n);

/** A digest far beyond one message: 20 items per list (the digest's own cap), each with a very long text. */
function hugeDigest(): AlertMessage {
  const facts: DigestFacts = {
    instances: { total: 900, active: 880, locked: 20, locking: 0, customerKeyed: 300 },
    pending: Array.from({ length: 20 }, (_, i) => ({ id: `r-${i}`, type: 'key_change' as const, instanceName: `inst-${i}`, requestedBy: `admin${i}@example.com`, deadline: now })),
    pendingTotal: 450,
    locked: Array.from({ length: 20 }, (_, i) => ({ instanceName: `locked-${i}`, lockedAt: now })),
    oldestKeys: Array.from({ length: 20 }, (_, i) => ({ instanceName: `inst-${i}`, keyName: long(400), fingerprint: 'sha256:abc', kind: 'pfx' as const, createdAt: now })),
    recent: Array.from({ length: 20 }, (_, i) => ({ id: `r-x${i}`, type: 'lock' as const, instanceName: `inst-${i}`, state: 'approved' as const, decidedAt: now, decidedBy: 'bob@example.com' })),
    recentTotal: 75,
    failedAlerts: Array.from({ length: 20 }, () => ({ channel: 'email' as const, recipient: 'cat@example.com', title: long(3500), lastError: 'SMTP 550', createdAt: now })),
    failedTotal: 90,
  };
  return { ...renderDigest('acme', facts, now), title: `dualkey digest for ${long(300)}` };
}

/** Slack's message limits (≤ 50 blocks, 3000-character sections, 10 fields, 150-character headers, 40,000-character text), checked by the fake's own rules. */
describe('Block Kit limits', () => {
  let api: FakeSlackApi;
  beforeAll(async () => {
    api = await FakeSlackApi.start(TOKEN);
  });
  afterAll(() => api?.close());

  it('fits a digest far over the limits into one accepted message that points to the dualkey CLI', async () => {
    const message = hugeDigest();
    const { text, blocks } = renderAlertBlocks(message);
    expect(blockErrors(blocks)).toEqual([]);
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(text.length).toBeLessThanOrEqual(40_000);
    expect((blocks[0]!.text as { text: string }).text.length).toBeLessThanOrEqual(150);
    expect(JSON.stringify(blocks)).toContain('dualkey digest');
    expect(await new SlackChannel({ token: TOKEN, apiUrl: api.apiUrl }).deliver({ idempotencyKey: 'd1', recipient: ann, address: null, message, uncertain: false })).toMatchObject({ ok: true });
  });

  it('cuts a reply listing hundreds of instances to a readable message with a pointer to the same command in the CLI', () => {
    const reply: ChatReply = { kind: 'ok', title: '400 instances', lines: [], fields: Array.from({ length: 400 }, (_, i) => [`inst-${i}`, `active, customer key ${long(200)}`]) };
    const rendered = renderReplyBlocks(reply, 'dualkey status');
    expect(blockErrors(rendered.blocks)).toEqual([]);
    expect(rendered.blocks.length).toBeLessThan(10);
    expect(JSON.stringify(rendered.blocks).length).toBeLessThan(13_000);
    expect(JSON.stringify(rendered.blocks.at(-1))).toContain('cut short here. For the whole list run `dualkey status`');
    expect(JSON.stringify(rendered.blocks)).toContain('inst-0');
    expect(rendered.text.length).toBeLessThanOrEqual(40_000);
  });

  it('keeps the buttons when an alert with actions is cut, and never exceeds 50 blocks however small they are', () => {
    const small = capBlocks([...Array.from({ length: 80 }, (_, i) => section(`line ${i}`)), { type: 'actions', elements: [{ type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' } }] }], 'Run `dualkey requests`.');
    expect(small).toHaveLength(50);
    expect(small.slice(-2).map((b) => b.type)).toEqual(['context', 'actions']);
    expect(blockErrors(small)).toEqual([]);
    const facts = Array.from({ length: 400 }, (_, i): [string, string] => [`  fact ${i}`, long(2900)]);
    const message: AlertMessage = { event: 'key_change_opened', title: 'Key changed', facts, actions: [{ id: 'approve', label: 'Approve', style: 'primary', requestId: 'r-1', confirm: null }], status: null, requestId: 'r-1', instanceName: 'crm-prod' };
    const { blocks } = renderAlertBlocks(message);
    expect(blockErrors(blocks)).toEqual([]);
    expect(blocks.at(-2)).toMatchObject({ type: 'context' });
    expect(blocks.at(-1)).toMatchObject({ type: 'actions' });
  });

  it('escapes names so they cannot mention @channel or forge links, and shows ten short facts as fields', () => {
    const reply: ChatReply = { kind: 'ok', title: 'You are <!channel> & <https://evil.example|Bob>', lines: [], fields: [['Role', 'global_admin']] };
    const rendered = JSON.stringify(renderReplyBlocks(reply).blocks);
    expect(rendered).not.toContain('<!channel>');
    expect(rendered).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|Bob&gt;');
    const ten = renderReplyBlocks({ kind: 'ok', title: 't', lines: [], fields: Array.from({ length: 10 }, (_, i): [string, string] => [`k${i}`, 'v']) });
    expect(ten.blocks[1]).toMatchObject({ type: 'section', fields: expect.any(Array) });
    expect(blockErrors(ten.blocks)).toEqual([]);
  });

  it('refuses through the fake what Slack refuses: 51 blocks, over-long text, and an unauthenticated call', async () => {
    const post = async (body: Record<string, unknown>, token = TOKEN) =>
      (await fetch(`${api.apiUrl}chat.postMessage`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ channel: 'D0ANN', ...body }) })).json();
    expect(await post({ blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) })).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(await post({ text: long(40_001) })).toEqual({ ok: false, error: 'msg_too_long' });
    expect(await post({ blocks: [{ type: 'header', text: { type: 'plain_text', text: long(151) } }] })).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(await post({ text: 'hi' }, 'xoxb-other')).toEqual({ ok: false, error: 'invalid_auth' });
  });
});
