import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outbox } from '../../../db/schema/index.js';
import { addApprovedAdmin, createHarness, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

const upload = (name = 'rsa-2048.pfx') => ({ kind: 'upload' as const, upload: { file: fixture(name), password: FIXTURE_PASSWORD } });

describe('reminders before a deadline', () => {
  let h: Harness;
  let s: Seeded;
  const rows = () => h.db.database.transaction((tx) => tx.select().from(outbox));
  const reminders = async (requestId: string) => (await rows()).filter((r) => r.requestId === requestId && r.message.event === 'reminder');

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
  });
  afterEach(() => h.dispose());

  it('re-notifies everyone but the requester 24 h and 1 h before the deadline, once each', async () => {
    const { request } = await h.engine.changeKey(s.ann, s.instance, upload());
    h.clock.advanceHours(47.9);
    expect(await h.engine.queueReminders([24, 1])).toBe(0);
    h.clock.advanceHours(0.1);
    expect(await h.engine.queueReminders([24, 1])).toBe(2);
    expect(await h.engine.queueReminders([24, 1])).toBe(0);
    const first = await reminders(request.id);
    expect(first.map((r) => r.adminId).sort()).toEqual([s.bob.admin.id, s.cat.admin.id].sort());
    expect(first[0]!.message.title).toMatch(/^Reminder: Key change r-\w+ on crm-prod awaits a decision — 24 hours left/);
    expect(first[0]!.message.actions.map((a) => a.id)).toEqual(['approve', 'rollback']);
    h.clock.advanceHours(23);
    expect(await h.engine.queueReminders([24, 1])).toBe(2);
    expect(await h.restart().queueReminders([24, 1])).toBe(0);
    expect((await reminders(request.id)).map((r) => r.message.title.match(/— (\d+ hours?) left/)![1]).sort()).toEqual(['1 hour', '1 hour', '24 hours', '24 hours']);
  });

  it('sends only the most urgent reminder when the scheduler missed the earlier one', async () => {
    const { request } = await h.engine.changeKey(s.ann, s.instance, upload());
    h.clock.advanceHours(71.5);
    expect(await h.engine.queueReminders([24, 1])).toBe(2);
    h.clock.advanceHours(0.1);
    expect(await h.engine.queueReminders([24, 1])).toBe(0);
    expect((await reminders(request.id)).every((r) => r.message.title.includes('1 hour left'))).toBe(true);
  });

  it('skips a reminder point that came before the request was opened (a 24 h lock window gets only the 1 h reminder)', async () => {
    const change = await h.engine.changeKey(s.ann, s.instance, upload());
    await h.engine.decide(s.bob, change.request.id, 'approve');
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: upload().upload });
    expect(await h.engine.queueReminders([24, 1])).toBe(0);
    h.clock.advanceHours(23);
    expect(await h.engine.queueReminders([24, 1])).toBe(2);
    expect((await reminders(lock.id)).map((r) => r.message.actions.map((a) => a.id))).toEqual([['approve', 'reject'], ['approve', 'reject']]);
  });

  it('does not remind an admin added after the request opened, who could not decide it', async () => {
    const { request } = await h.engine.changeKey(s.ann, s.instance, upload());
    h.clock.advanceHours(1);
    const dan = await addApprovedAdmin(h, s, { email: 'dan@example.com', name: 'Dan', role: 'global_admin', instances: [], identities: [] });
    h.clock.advanceHours(47);
    expect(await h.engine.queueReminders([24, 1])).toBe(2);
    expect((await reminders(request.id)).map((r) => r.adminId)).not.toContain(dan.id);
  });

  it('stops reminding once the request is decided', async () => {
    const { request } = await h.engine.changeKey(s.ann, s.instance, upload());
    await h.engine.decide(s.bob, request.id, 'approve');
    h.clock.advanceHours(48);
    expect(await h.engine.queueReminders([24, 1])).toBe(0);
  });
});
