import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Request } from '../../../core/model/request.js';
import type { UnitOfWork } from '../../../core/ports/store.js';
import { createTestDatabase, testEngine, type TestDatabase } from '../../support/test-database.js';
import { aRequest, aTenant, hoursAfter, T0 } from './fixtures/models.js';

describe(`requests are decided once and claimed once (${testEngine})`, () => {
  let db: TestDatabase;
  let uow: UnitOfWork;
  beforeAll(async () => {
    db = await createTestDatabase();
    uow = db.uow;
  });
  afterAll(() => db.dispose());

  async function seed(requests: (tenantId: string) => Request[]): Promise<Request[]> {
    const tenant = aTenant();
    const rows = requests(tenant.id);
    await uow.run(async (s) => {
      await s.tenants.insert(tenant);
      for (const r of rows) await s.requests.insert(r);
    });
    return rows;
  }

  it('lets exactly one of 20 concurrent decisions win the compare-and-swap', async () => {
    const [request] = await seed((t) => [aRequest(t)]);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        uow.run((s) => s.requests.decide(request!.id, i % 2 ? 'approved' : 'rolled_back', `adm_${i}`, hoursAfter(1), null)),
      ),
    );
    const winners = outcomes.filter((o) => o !== null);
    expect(winners).toHaveLength(1);
    const stored = await uow.run((s) => s.requests.byId(request!.id));
    expect(stored).toEqual(winners[0]);
    expect(stored?.state).not.toBe('pending');
  });

  it('refuses to decide a request that is no longer pending', async () => {
    const [request] = await seed((t) => [aRequest(t)]);
    expect(await uow.run((s) => s.requests.decide(request!.id, 'approved', 'adm_a', hoursAfter(1), null))).not.toBeNull();
    expect(await uow.run((s) => s.requests.decide(request!.id, 'rolled_back', 'adm_b', hoursAfter(2), 'late'))).toBeNull();
    expect(await uow.run((s) => s.requests.decide('req_missing', 'approved', 'adm_a', hoursAfter(1), null))).toBeNull();
  });

  it('claims pending requests due at or before now, by deadline, up to the limit', async () => {
    const now = hoursAfter(1000);
    const rows = await seed((t) => [
      aRequest(t, { deadline: hoursAfter(-1, now) }),
      aRequest(t, { deadline: now }),
      aRequest(t, { deadline: hoursAfter(-2, now) }),
      aRequest(t, { deadline: hoursAfter(1, now) }),
      aRequest(t, { deadline: hoursAfter(-3, now), state: 'approved', decidedBy: 'x', decidedAt: T0 }),
    ]);
    const ids = new Set(rows.map((r) => r.id));
    const claimed = await uow.run((s) => s.requests.claimDue(now, 100));
    const ours = claimed.filter((r) => ids.has(r.id));
    expect(ours.map((r) => r.id)).toEqual([rows[2]!.id, rows[0]!.id, rows[1]!.id]);
    expect(ours[0]).toEqual(rows[2]);
    expect(await uow.run((s) => s.requests.claimDue(now, 1))).toHaveLength(1);
  });

  it.skipIf(testEngine === 'pglite')('gives two concurrent claimers disjoint sets (PGlite is one connection: nothing to race)', async () => {
    // Due long before every other test's requests, so that only these ten are due at `now`.
    const now = hoursAfter(-900);
    const rows = await seed((t) => Array.from({ length: 10 }, (_, i) => aRequest(t, { deadline: hoursAfter(-100 - i, now) })));
    const ids = new Set(rows.map((r) => r.id));
    let bothClaimed!: () => void;
    const barrier = new Promise<void>((resolve) => (bothClaimed = resolve));
    let arrived = 0;
    const claim = () =>
      uow.run(async (s) => {
        const got = await s.requests.claimDue(now, 6);
        // Hold the row locks until both transactions have claimed.
        if (++arrived === 2) bothClaimed();
        await barrier;
        return got.filter((r) => ids.has(r.id)).map((r) => r.id);
      });
    const [a, b] = await Promise.all([claim(), claim()]);
    expect(a!.length + b!.length).toBe(10);
    expect(a!.filter((id) => b!.includes(id))).toEqual([]);
    expect(new Set([...a!, ...b!])).toEqual(ids);
  });
});
