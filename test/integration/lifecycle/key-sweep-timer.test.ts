import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nodeCronSchedule } from '../../../bot/runtime/node-cron-schedule.js';
import { Scheduler } from '../../../bot/scheduler/scheduler.js';
import type { InstanceRef } from '../../../core/data-plane/record-service.js';
import { createEngine, type Engine } from '../../../core/engine.js';
import { createHarness, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

const file = () => ({ file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD });
const SWEEP_MS = 1_000;
const HOUR_MS = 3_600_000;

/** The scheduler's key sweep as `serve` runs it: on its own interval timer (only setInterval is faked; nothing sleeps). */
describe('the key-cache sweep timer of a server replica', () => {
  let h: Harness;
  let s: Seeded;
  let ref: InstanceRef;
  let replica: Engine;
  let scheduler: Scheduler;

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    const i = await h.db.uow.run((store) => store.instances.byName(s.tenant.id, s.instance));
    ref = { instanceId: i!.id, tenantId: s.tenant.id, name: s.instance };
    const r = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    await h.engine.decide(s.bob, r.request.id, 'approve');
    await h.engine.records.put(ref, 'invoice/1', Buffer.from('100 EUR'));
    // A second server process on the same database and vault, with its own DEK cache and scheduler.
    replica = createEngine({ ...h.engine.deps });
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    // Deadlines and delivery far apart: only the sweep's interval comes due in this test.
    scheduler = new Scheduler({ engine: replica, channels: {}, schedule: nodeCronSchedule(), logger: h.logger, reminderHours: [], tickMs: HOUR_MS, deliveryMs: HOUR_MS, keySweepMs: SWEEP_MS });
  });
  afterEach(async () => {
    await scheduler.stop();
    vi.useRealTimers();
    await h.dispose();
  });

  it('drops a replica\'s cached DEKs at the first sweep interval after a lock commits elsewhere, not before', async () => {
    expect((await replica.records.get(ref, 'invoice/1')).toString()).toBe('100 EUR');
    scheduler.start();
    // start() runs each job once at once: the first sweep and tick find nothing stale.
    await scheduler.settled();
    expect(replica.records.deks.heldInstances()).toEqual([ref.instanceId]);

    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
    await h.engine.decide(s.bob, lock.id, 'approve');
    expect((await h.engine.status(s.tenant.id, s.instance))[0]!.state).toBe('locked');
    // The replica served nothing since and its timer has not come due: it still holds the keys.
    await vi.advanceTimersByTimeAsync(SWEEP_MS - 1);
    await scheduler.settled();
    expect(replica.records.deks.heldInstances()).toEqual([ref.instanceId]);

    await vi.advanceTimersByTimeAsync(1);
    await scheduler.settled();
    expect(replica.records.deks.heldInstances()).toEqual([]);
  });
});
