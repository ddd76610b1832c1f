import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../core/engine.js';
import type { InstanceRef } from '../../../core/data-plane/record-service.js';
import type { KeyChangeOutcome } from '../../../core/lifecycle/close-key-change.js';
import type { Protector } from '../../../core/model/protector.js';
import type { Request } from '../../../core/model/request.js';
import type { UnreviewedChangePolicy } from '../../../core/model/tenant.js';
import { refusal } from '../../support/engine-harness.js';
import {
  lockKeyOf, STEPS, a, anotherKey, assertSettled, crashAt, createScene, current, disarm, newInstance, openJournal, requestById, requestLockOf,
  restartAndRecover, setPolicy, stepsOf, vaultHas, when, type Scene,
} from './fault-injection-support.js';

interface OutcomeFlow {
  outcome: KeyChangeOutcome;
  what: string;
  /** Whether the new key stays (approve, keep) or the previous one comes back (rollback). */
  keeps: boolean;
  policy: UnreviewedChangePolicy;
  /** Decides the pending key change (an admin's click, or the sweep after the deadline). */
  decide: (scene: Scene, request: Request) => Promise<unknown>;
  /** Checks that deciding once more finds nothing to do (exactly once). */
  again: (scene: Scene, request: Request) => Promise<void>;
}

const byAdmin = (decision: 'approve' | 'rollback') => ({
  decide: (scene: Scene, request: Request) => scene.h.engine.decide(scene.s.bob, request.id, decision),
  again: async (scene: Scene, request: Request) => {
    expect((await refusal(() => scene.h.engine.decide(scene.s.ann, request.id, 'rollback'))).code).toBe('request_closed');
  },
});
const byDeadline = {
  decide: (scene: Scene) => {
    scene.h.clock.advanceHours(72);
    return scene.h.engine.sweep();
  },
  again: async (scene: Scene) => {
    expect(await scene.h.engine.sweep()).toEqual([]);
  },
};

const FLOWS: OutcomeFlow[] = [
  { outcome: 'approved', what: 'approval', keeps: true, policy: 'rollback', ...byAdmin('approve') },
  { outcome: 'rolled_back', what: 'rollback', keeps: false, policy: 'rollback', ...byAdmin('rollback') },
  { outcome: 'expired_rolled_back', what: 'expiry under policy rollback', keeps: false, policy: 'rollback', ...byDeadline },
  { outcome: 'expired_kept', what: 'expiry under policy keep', keeps: true, policy: 'keep', ...byDeadline },
];

let scene: Scene;
beforeAll(async () => {
  scene = await createScene();
});
afterAll(() => scene.h.dispose());
afterEach(() => disarm(scene.h));

/** A key change by ann awaiting review (to a key other than the current one): the request and both protectors. */
async function pendingChange(ref: InstanceRef): Promise<{ ref: InstanceRef; request: Request; fresh: Protector; previous: Protector }> {
  const { protector: previous } = await current(scene.h, ref);
  const { upload } = await anotherKey(scene.h, ref);
  const { request, protector: fresh } = await scene.h.engine.changeKey(scene.s.ann, ref.name, { kind: 'upload', upload });
  return { ref, request, fresh, previous };
}

describe.each(FLOWS)('the $what of a key change', ({ outcome, what, keeps, policy, decide, again }) => {
  let ref: InstanceRef;
  beforeAll(async () => {
    ref = await newInstance(scene, outcome);
    await setPolicy(scene, policy);
  });

  /** Checks the decision is fully applied: request closed, the right key active, the other one destroyed. */
  const expectApplied = async (c: Awaited<ReturnType<typeof pendingChange>>) => {
    const { h } = scene;
    const [kept, discarded] = keeps ? [c.fresh, c.previous] : [c.previous, c.fresh];
    expect(await requestById(h, c.request.id)).toMatchObject({ state: outcome });
    const after = await current(h, c.ref);
    expect(after.instance.state).toBe('active');
    expect(after.protector).toMatchObject({ id: kept.id, status: 'active' });
    expect(after.pending).toEqual([]);
    expect(await vaultHas(h, kept.vaultKeyId), 'the kept key is in the vault').toBe(true);
    expect(await vaultHas(h, discarded.vaultKeyId), 'the discarded key is destroyed').toBe(false);
    await assertSettled(scene);
    await again(scene, c.request);
  };

  it(`reaches exactly the journaled steps on a clean ${what}`, async () => {
    const c = await pendingChange(ref);
    expect(await stepsOf(scene.h, () => decide(scene, c.request))).toEqual(STEPS[outcome]);
    await expectApplied(c);
  });

  for (const step of STEPS[outcome]) {
    it(`completes ${a(what)} whose process died ${when(step)}`, async () => {
      const { h } = scene;
      const c = await pendingChange(ref);
      await crashAt(h, step, () => decide(scene, c.request));
      const discarded = keeps ? c.previous : c.fresh;
      expect(await vaultHas(h, discarded.vaultKeyId), 'the dead process destroyed the key only if it got that far').toBe(step.endsWith(':committed'));
      expect((await openJournal(h)).map((e) => [e.kind, e.operation])).toEqual([['destroy', outcome]]);
      expect(await restartAndRecover(h)).toEqual({ completed: 1, compensated: 0, deferred: 0 });
      await expectApplied(c);
    });
  }

  it(`completes ${a(what)} when the recovery pass dies too, ${when(`${outcome}:destroyed`)}`, async () => {
    const { h } = scene;
    const c = await pendingChange(ref);
    await crashAt(h, `${outcome}:committed`, () => decide(scene, c.request));
    await crashAt(h, `${outcome}:destroyed`, () => restartAndRecover(h));
    expect(await openJournal(h)).toHaveLength(1);
    expect(await restartAndRecover(h)).toEqual({ completed: 1, compensated: 0, deferred: 0 });
    await expectApplied(c);
  });
});

describe('concurrent decisions (I5)', () => {
  let ref: InstanceRef;
  beforeAll(async () => {
    // crm-prod, of which cat is a system admin.
    const { h, s } = scene;
    const row = await h.db.uow.run((store) => store.instances.byName(s.tenant.id, s.instance));
    ref = { instanceId: row!.id, tenantId: s.tenant.id, name: s.instance };
    scene.expected[s.instance] = { 'customer/1': 'Ada Lovelace', 'customer/2': 'Grace Hopper' };
    for (const [k, v] of Object.entries(scene.expected[s.instance]!)) await h.engine.records.put(ref, k, Buffer.from(v));
  });

  /** Runs every click at once, each from its own replica engine; returns the decisions made and the refusal codes. */
  const race = async (clicks: Array<(engine: Engine) => Promise<Request>>) => {
    const engines = clicks.map(() => createEngine({ ...scene.h.engine.deps }));
    const results = await Promise.allSettled(clicks.map((click, i) => click(engines[i]!)));
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code?: string }).code ?? String(r.reason)] : []));
    return { won, lost };
  };

  it('decides a key change exactly once under 20 concurrent approve and rollback clicks; the others get request_closed', async () => {
    const { h, s } = scene;
    const { request, protector } = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: (await anotherKey(h, ref)).upload });
    const { won, lost } = await race(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? (e: Engine) => e.decide(s.bob, request.id, 'approve') : (e: Engine) => e.decide(s.cat, request.id, 'rollback'))),
    );
    expect(won).toHaveLength(1);
    expect(lost).toEqual(Array(19).fill('request_closed'));
    expect(await requestById(h, request.id)).toMatchObject({ state: won[0]!.state, decidedBy: won[0]!.decidedBy });
    expect((await current(h, ref)).protector.id === protector.id).toBe(won[0]!.state === 'approved');
    await assertSettled(scene);
  });

  it('decides a lock exactly once under 20 concurrent reject and approve clicks; the others get request_closed', async () => {
    const { h, s } = scene;
    const { lock } = await requestLockOf(scene, ref);
    const { won, lost } = await race(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? (e: Engine) => e.decide(s.cat, lock.id, 'reject') : (e: Engine) => e.decide(s.bob, lock.id, 'approve'))),
    );
    expect(won).toHaveLength(1);
    expect(lost).toEqual(Array(19).fill('request_closed'));
    expect((await current(h, ref)).instance.state).toBe(won[0]!.state === 'approved' ? 'locked' : 'active');
    await assertSettled(scene);
  });

  it('refuses every losing click of 20 concurrent lock approvals with request_closed', async () => {
    const { h, s } = scene;
    if ((await current(h, ref)).instance.state === 'locked') await h.engine.unlock(s.ann, ref.name, lockKeyOf(ref));
    const { lock } = await requestLockOf(scene, ref);
    // Double clicks by two admins: each passes the "still pending" pre-check before the first one commits.
    const { won, lost } = await race(Array.from({ length: 20 }, (_, i) => (e: Engine) => e.decide(i % 2 === 0 ? s.bob : s.cat, lock.id, 'approve')));
    expect(won.map((r) => r.state)).toEqual(['approved']);
    expect((await current(h, ref)).instance.state).toBe('locked');
    await assertSettled(scene);
    expect(lost, 'a losing click is told the request was already decided').toEqual(Array(19).fill('request_closed'));
  });
});
