import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostedMessage } from '../support/fake-slack-api.js';
import { startSlackWorld, USERS, type SlackWorld } from '../support/fake-slack-workspace.js';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';
import { PagesClient } from '../support/pages-client.js';

type Json = Record<string, unknown>;

const buttons = (m: PostedMessage) => (m.blocks.find((b) => b.type === 'actions') as { elements: Json[] } | undefined)?.elements ?? [];
const dmOf = (w: SlackWorld, userId: string, requestId: string) =>
  [...w.api.messages.values()].find((m) => m.channel === `D${userId.slice(1)}` && buttons(m).some((b) => b.value === requestId))!;
const copiesOf = (w: SlackWorld, requestId: string) => [...w.api.messages.values()].filter((m) => JSON.stringify(m.blocks).includes(requestId));
const isOk = (reply: Json) => !JSON.stringify(reply.blocks).includes(':no_entry:');

/**
 * The whole Slack path over real HTTP: signed slash commands and clicks into `dualkey serve`, alerts out
 * through the outbox to a fake Slack Web API, and every copy updated after the decision.
 */
describe('Slack app end to end', () => {
  let w: SlackWorld;

  beforeAll(async () => {
    w = await startSlackWorld();
  });
  afterAll(() => w?.close());

  it('key upload: /dualkey link → page with an OpenSSL PFX → DMs with buttons → self-approval refused → second admin decides → every copy updated once', async () => {
    const cmd = await w.slack.command(USERS.ann, 'key upload crm-prod');
    expect(cmd).toMatchObject({ status: 200, text: '' });
    const reply = await w.api.waitForResponse(cmd.responseUrl);
    expect(reply).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    const token = /\/pages\/([A-Za-z0-9_-]{43})/.exec(JSON.stringify(reply.blocks))?.[1];
    expect(token).toBeDefined();
    expect(JSON.stringify(reply.blocks)).toContain(`${w.server.url}/pages/${token}`);

    const page = await new PagesClient(w.server.url).complete(token!, { keyfile: { file: fixture('rsa-2048.pfx'), name: 'rsa-2048.pfx' }, password: FIXTURE_PASSWORD });
    expect(page.status).toBe(200);
    const [request] = await w.engine.listRequests(w.tenantId, false);
    expect(request).toMatchObject({ type: 'key_change', state: 'pending' });
    const id = request!.id;

    expect(await w.server.scheduler.deliver()).toMatchObject({ sent: 3, failed: 0 });
    // DM channels were opened (conversations.open) while seeding; each admin's alert goes to theirs.
    expect(w.api.callsOf('chat.postMessage').map((c) => c.args.channel).sort()).toEqual([USERS.ann, USERS.bob, USERS.cat].map((u) => `D${u.slice(1)}`));
    const copies = copiesOf(w, id);
    expect(copies).toHaveLength(3);
    for (const m of copies) {
      expect(buttons(m).map((b) => [b.action_id, b.value])).toEqual([['approve', id], ['rollback', id]]);
      expect(buttons(m)[1]).toHaveProperty('confirm');
      expect(JSON.stringify(m.blocks)).toContain(String(request!.payload.fingerprint));
      expect(m.text).toContain('crm-prod');
    }

    const self = await w.slack.click(USERS.ann, dmOf(w, USERS.ann, id), 'approve');
    expect(self.status).toBe(200);
    const refusal = await w.api.waitForResponse(self.responseUrl);
    expect(refusal.response_type).toBe('ephemeral');
    expect(JSON.stringify(refusal.blocks)).toContain('self_approval');
    expect((await w.engine.listRequests(w.tenantId, false)).map((r) => r.id)).toEqual([id]);

    const approve = await w.slack.click(USERS.bob, dmOf(w, USERS.bob, id), 'approve');
    expect(JSON.stringify(await w.api.waitForResponse(approve.responseUrl))).toContain(`${id} is now approved`);
    // cat's copy still shows buttons until the outbox runs: a late click is told, privately, that it is closed.
    const late = await w.slack.click(USERS.cat, dmOf(w, USERS.cat, id), 'rollback');
    expect(JSON.stringify((await w.api.waitForResponse(late.responseUrl)).blocks)).toContain('request_closed');

    expect(await w.server.scheduler.deliver()).toMatchObject({ failed: 0 });
    const updates = w.api.callsOf('chat.update');
    expect(updates.map((u) => `${String(u.args.channel)}/${String(u.args.ts)}`).sort()).toEqual(copies.map((m) => `${m.channel}/${m.ts}`).sort());
    for (const m of copies) {
      expect(m.updates).toBe(1);
      expect(buttons(m)).toEqual([]);
      expect(m.text).toContain('approved by bob@example.com');
    }
    await w.server.scheduler.deliver();
    expect(w.api.callsOf('chat.update')).toHaveLength(3);
  });

  it('decides once under 20 simultaneous Approve / Roll back clicks from two admins, and updates each copy to that one decision', async () => {
    const revert = await w.slack.command(USERS.ann, 'key revert crm-prod');
    const revertReply = await w.api.waitForResponse(revert.responseUrl);
    expect(isOk(revertReply)).toBe(true);
    // The reply says where admins were told, from the channels serve recorded.
    expect(JSON.stringify(revertReply)).toMatch(/alerted \(slack[^)]*console inbox\)/);
    const [request] = await w.engine.listRequests(w.tenantId, false);
    const id = request!.id;
    await w.server.scheduler.deliver();
    const copies = copiesOf(w, id);
    expect(copies).toHaveLength(3);
    const updatesBefore = w.api.callsOf('chat.update').length;

    const clicks = await Promise.all(Array.from({ length: 20 }, (_, i) => {
      const user = i % 2 === 0 ? USERS.ann : USERS.bob;
      return w.slack.click(user, dmOf(w, user, id), i % 4 < 2 ? 'approve' : 'rollback');
    }));
    expect(clicks.map((c) => c.status)).toEqual(Array(20).fill(200));
    const replies = await Promise.all(clicks.map((c) => w.api.waitForResponse(c.responseUrl)));
    expect(replies.every((r) => r.response_type === 'ephemeral')).toBe(true);
    expect(replies.filter(isOk)).toHaveLength(1);
    const decided = (await w.engine.listRequests(w.tenantId, true)).find((r) => r.id === id)!;
    expect(['approved', 'rolled_back']).toContain(decided.state);
    const audit = await w.engine.listAudit({ tenantId: w.tenantId }, 500);
    expect(audit.filter((e) => e.requestId === id && e.result === 'ok' && (e.action === 'approve' || e.action === 'rollback'))).toHaveLength(1);

    await w.server.scheduler.deliver();
    const updates = w.api.callsOf('chat.update').slice(updatesBefore);
    expect(updates).toHaveLength(3);
    const word = decided.state === 'approved' ? 'approved' : 'rolled back';
    for (const m of copies) {
      expect(m.updates).toBe(1);
      expect(buttons(m)).toEqual([]);
      expect(m.text).toContain(`${word} by`);
    }
  });

  it('delivers the scheduled digest as a DM to every admin', async () => {
    const before = w.api.callsOf('chat.postMessage').length;
    // 24 h later is the tenant's daily 09:00 digest minute again.
    w.clock.advanceHours(24);
    await w.server.scheduler.tick();
    expect(await w.server.scheduler.deliver()).toMatchObject({ sent: 3, failed: 0 });
    const digests = w.api.callsOf('chat.postMessage').slice(before);
    expect(digests.map((c) => c.args.channel).sort()).toEqual([USERS.ann, USERS.bob, USERS.cat].map((u) => `D${u.slice(1)}`));
    for (const c of digests) expect((c.args.blocks as Json[])[0]).toMatchObject({ type: 'header', text: { text: expect.stringMatching(/^dualkey digest for acme/) } });
  });

  it('re-sends the alert with its buttons as a DM to every admin but the requester, 24 h before the deadline', async () => {
    const change = await w.engine.changeKey(w.ann, w.instance, { kind: 'upload', upload: { file: fixture('rsa-3072.pfx'), password: FIXTURE_PASSWORD } });
    await w.server.scheduler.deliver();
    const before = w.api.callsOf('chat.postMessage').length;
    w.clock.advanceHours(48.5);
    await w.server.scheduler.tick();
    await w.server.scheduler.deliver();
    const reminders = w.api.callsOf('chat.postMessage').slice(before).filter((c) => String(c.args.text).startsWith('Reminder:'));
    expect(reminders.map((c) => c.args.channel).sort()).toEqual([USERS.bob, USERS.cat].map((u) => `D${u.slice(1)}`));
    for (const c of reminders) {
      expect((c.args.blocks as Json[]).find((b) => b.type === 'actions')).toMatchObject({ elements: [{ action_id: 'approve', value: change.request.id }, { action_id: 'rollback', value: change.request.id }] });
    }
  });
});
