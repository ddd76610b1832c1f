import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeCronSchedule } from '../../../bot/runtime/node-cron-schedule.js';
import { outbox } from '../../../db/schema/index.js';
import { createHarness, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

const upload = (name = 'rsa-2048.pfx') => ({ kind: 'upload' as const, upload: { file: fixture(name), password: FIXTURE_PASSWORD } });

describe('the digest', () => {
  let h: Harness;
  let s: Seeded;
  const digests = async () => (await h.db.database.transaction((tx) => tx.select().from(outbox))).filter((r) => r.message.event === 'digest');

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
  });
  afterEach(() => h.dispose());

  it('reports pending requests with time left, locked instances, key ages, recent changes and undelivered alerts', async () => {
    await h.engine.createInstance(s.tenant.id, 'hr-prod');
    const change = await h.engine.changeKey(s.ann, s.instance, upload());
    await h.engine.decide(s.bob, change.request.id, 'approve');
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: upload().upload });
    await h.engine.decide(s.bob, lock.id, 'approve');
    const pending = await h.engine.changeKey(s.ann, 'hr-prod', upload('rsa-2048-other.pfx'));
    h.clock.advanceHours(2);
    await h.engine.deliverOutbox({ channels: {} });

    const { facts, message } = await h.engine.buildDigest(s.tenant.id);
    expect(facts.instances).toEqual({ total: 2, active: 1, locked: 1, locking: 0, customerKeyed: 2 });
    expect(facts.pending.map((p) => [p.id, p.instanceName, p.requestedBy])).toEqual([[pending.request.id, 'hr-prod', 'ann@example.com']]);
    expect(facts.locked).toEqual([{ instanceName: s.instance, lockedAt: expect.any(Date) }]);
    expect(facts.recent.map((r) => r.state)).toEqual(['approved']);
    expect(facts.failedTotal).toBeGreaterThan(0);
    expect(message.title).toBe(`dualkey digest for acme — 1 pending, 1 locked, ${facts.failedTotal} undelivered`);
    expect(message.facts).toContainEqual([`  ${pending.request.id}`, expect.stringContaining('70 h left')]);
    expect(message.facts).toContainEqual([`  ${s.instance}`, expect.stringMatching(/^locked since /)]);
  });

  it('queues one digest per admin and channel when the tenant schedule fires, however often the tick runs', async () => {
    const schedule = nodeCronSchedule();
    // The clock stands at 09:01 UTC; the default schedule is daily 09:00 in UTC.
    expect(await h.engine.queueDigests(schedule)).toBe(3);
    expect(await h.restart().queueDigests(schedule)).toBe(0);
    h.clock.advanceHours(1);
    expect(await h.engine.queueDigests(schedule)).toBe(0);
    h.clock.advanceHours(23);
    expect(await h.engine.queueDigests(schedule)).toBe(3);
    expect((await digests()).map((d) => d.adminId).sort()).toEqual([s.ann, s.ann, s.bob, s.bob, s.cat, s.cat].map((a) => a.admin.id).sort());
  });

  it('follows the tenant timezone', async () => {
    await h.db.uow.run((store) => store.tenants.updateSettings(s.tenant.id, { ...s.tenant.settings, digestCron: '30 8 * * *', timezone: 'Asia/Tokyo' }));
    const schedule = nodeCronSchedule();
    expect(await h.engine.queueDigests(schedule)).toBe(0);
    h.clock.advanceHours(14.5); // 23:31 UTC = 08:31 in Tokyo
    expect(await h.engine.queueDigests(schedule)).toBe(3);
  });
});
