import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRef } from '../../../core/data-plane/record-service.js';
import type { KeyChangeSource } from '../../../core/lifecycle/key-change.js';
import { IMPORT_GRACE_MS } from '../../../core/lifecycle/recover-journal.js';
import { refusal } from '../../support/engine-harness.js';
import {
  GENERATED_PASSWORD, STEPS, a, anotherKey, assertSettled, crashAt, createScene, current, disarm, newInstance, openJournal, pausedReplica,
  restartAndRecover, stepsOf, vaultHas, vaultKeys, when, withOwnScene, type Scene,
} from './fault-injection-support.js';

let scene: Scene;
beforeAll(async () => {
  scene = await createScene();
});
afterAll(() => scene.h.dispose());
afterEach(() => disarm(scene.h));

/** What a case changes the key to; `fingerprint` when it is known in advance (uploads). */
type Planned = { source: KeyChangeSource; fingerprint?: string };

/** The three ways to change a key. Each plans its change from the instance's current key (instances are reused). */
const FLOWS: Array<{ flow: string; what: string; kind: string; plan: (ref: InstanceRef) => Promise<Planned> }> = [
  {
    flow: 'upload', what: 'key upload', kind: 'pfx',
    plan: async (ref) => {
      const key = await anotherKey(scene.h, ref);
      return { source: { kind: 'upload', upload: key.upload }, fingerprint: key.fingerprint };
    },
  },
  { flow: 'generate', what: 'key generation', kind: 'generated', plan: async () => ({ source: { kind: 'generate', password: GENERATED_PASSWORD } }) },
  {
    flow: 'revert', what: 'revert to a service key', kind: 'service',
    plan: async (ref) => {
      // Revert starts from an approved customer key.
      if ((await current(scene.h, ref)).instance.keyMode === 'service') {
        const up = await scene.h.engine.changeKey(scene.s.ann, ref.name, { kind: 'upload', upload: (await anotherKey(scene.h, ref)).upload });
        await scene.h.engine.decide(scene.s.bob, up.request.id, 'approve');
      }
      return { source: { kind: 'revert' } };
    },
  },
];

/** Closes the review so the instance is settled for the next case. */
async function approvePending(ref: InstanceRef): Promise<void> {
  const [pending] = (await current(scene.h, ref)).pending;
  await scene.h.engine.decide(scene.s.bob, pending!.id, 'approve');
}

const COMMIT = STEPS.keyChange.indexOf('key_change:committed');

describe.each(FLOWS)('a key change by $flow', ({ flow, what, kind, plan }) => {
  let ref: InstanceRef;
  beforeAll(async () => {
    ref = await newInstance(scene, flow);
  });

  it(`reaches exactly the journaled steps on a clean ${what}`, async () => {
    const { h, s } = scene;
    const { source } = await plan(ref);
    expect(await stepsOf(h, () => h.engine.changeKey(s.ann, ref.name, source))).toEqual(STEPS.keyChange);
    expect(await stepsOf(h, () => h.engine.recover())).toEqual([]);
    await assertSettled(scene);
    await approvePending(ref);
  });

  for (const step of STEPS.keyChange.slice(0, COMMIT)) {
    it(`undoes ${a(what)} whose process died ${when(step)}, and the change can be made again`, async () => {
      const { h, s } = scene;
      const { source, fingerprint } = await plan(ref);
      const before = await current(h, ref);
      const keysBefore = await vaultKeys(h);
      await crashAt(h, step, () => h.engine.changeKey(s.ann, ref.name, source));
      // The dead process left an open import behind, and the key itself once it reached the vault.
      expect((await openJournal(h)).map((e) => [e.kind, e.operation, e.instanceId])).toEqual([['import', 'key_change', ref.instanceId]]);
      expect((await vaultKeys(h)).length - keysBefore.length).toBe(step === 'key_change:journaled' ? 0 : 1);

      expect(await restartAndRecover(h, { afterGrace: true })).toEqual({ completed: 0, compensated: 1, deferred: 0 });
      const after = await current(h, ref);
      expect(after.instance).toMatchObject({ state: 'active', protectorId: before.protector.id, keyMode: before.instance.keyMode, generation: before.instance.generation });
      expect(after.pending).toEqual([]);
      expect(await vaultKeys(h), 'the imported key is destroyed').toEqual(keysBefore);
      await assertSettled(scene);

      const retry = await h.engine.changeKey(s.ann, ref.name, source);
      expect(retry.request.state).toBe('pending');
      expect(retry.protector.kind).toBe(kind);
      if (fingerprint) expect(retry.protector.fingerprint).toBe(fingerprint);
      await approvePending(ref);
      await assertSettled(scene);
    });
  }

  for (const step of STEPS.keyChange.slice(COMMIT)) {
    it(`keeps ${a(what)} whose process died ${when(step)}: the change awaits review on the new key`, async () => {
      const { h, s } = scene;
      const { source, fingerprint } = await plan(ref);
      const before = await current(h, ref);
      await crashAt(h, step, () => h.engine.changeKey(s.ann, ref.name, source));
      expect(await openJournal(h)).toEqual([]);

      expect(await restartAndRecover(h, { afterGrace: true })).toEqual({ completed: 0, compensated: 0, deferred: 0 });
      const after = await current(h, ref);
      expect(after.pending.map((r) => [r.type, r.state, r.requestedBy])).toEqual([['key_change', 'pending', s.ann.admin.id]]);
      expect(after.protector).toMatchObject({ kind, status: 'active' });
      expect(after.protector.id).not.toBe(before.protector.id);
      if (fingerprint) expect(after.protector.fingerprint).toBe(fingerprint);
      expect(await vaultHas(h, after.protector.vaultKeyId)).toBe(true);
      expect(await vaultHas(h, before.protector.vaultKeyId), 'the previous key stays until the review').toBe(true);
      await assertSettled(scene);
      await approvePending(ref);
    });
  }
});

describe('a key change racing a recovery pass on another replica', () => {
  let ref: InstanceRef;
  beforeAll(async () => {
    ref = await newInstance(scene, 'race');
  });

  it('leaves an import younger than the grace period to the flow still running, which then commits', async () => {
    const { h, s } = scene;
    const key = await anotherKey(h, ref);
    const replica = pausedReplica(h, 'key_change:rewrapped');
    const flow = replica.engine.changeKey(s.ann, ref.name, { kind: 'upload', upload: key.upload });
    await replica.pause.paused;
    h.clock.advanceMs(IMPORT_GRACE_MS - 1);
    expect(await h.engine.recover()).toEqual({ completed: 0, compensated: 0, deferred: 1 });
    replica.pause.release();
    expect((await flow).request.state).toBe('pending');
    expect((await current(h, ref)).protector.fingerprint).toBe(key.fingerprint);
    expect(await h.engine.recover()).toEqual({ completed: 0, compensated: 0, deferred: 0 });
    await assertSettled(scene);
    await approvePending(ref);
  });

  it('compensates an import older than the grace period; the late commit is refused with operation_in_progress and the old key still serves', async () => {
    const { h, s } = scene;
    const before = await current(h, ref);
    const keysBefore = await vaultKeys(h);
    const key = await anotherKey(h, ref);
    const replica = pausedReplica(h, 'key_change:rewrapped');
    const flow = replica.engine.changeKey(s.ann, ref.name, { kind: 'upload', upload: key.upload });
    await replica.pause.paused;
    h.clock.advanceMs(IMPORT_GRACE_MS);
    expect(await h.engine.recover()).toEqual({ completed: 0, compensated: 1, deferred: 0 });
    replica.pause.release();
    expect((await refusal(() => flow)).code).toBe('operation_in_progress');
    const after = await current(h, ref);
    expect(after.instance).toMatchObject({ state: 'active', protectorId: before.protector.id, generation: before.instance.generation });
    expect(after.pending).toEqual([]);
    expect(await vaultKeys(h)).toEqual(keysBefore);
    await assertSettled(scene);
    // A fresh attempt goes through.
    await h.engine.changeKey(s.ann, ref.name, { kind: 'upload', upload: key.upload });
    await approvePending(ref);
  });

  it("commits a key change retried right after a crash, and the later recovery only removes the dead attempt's key", async () => {
    const { h, s } = scene;
    await crashAt(h, 'key_change:rewrapped', () => h.engine.changeKey(s.ann, ref.name, { kind: 'generate', password: GENERATED_PASSWORD }));
    h.restart();
    const retry = await h.engine.changeKey(s.ann, ref.name, { kind: 'upload', upload: (await anotherKey(h, ref)).upload });
    expect(await restartAndRecover(h, { afterGrace: true })).toEqual({ completed: 0, compensated: 1, deferred: 0 });
    expect((await current(h, ref)).protector.id).toBe(retry.protector.id);
    expect(await vaultHas(h, retry.protector.vaultKeyId)).toBe(true);
    await assertSettled(scene);
    await approvePending(ref);
  });

  it('does not leave the imported key in the vault when a flow resumes after recovery undid its journal entry', () =>
    withOwnScene(async (own) => {
      const { h, s } = own;
      const ownRef = await newInstance(own, 'race-before-import');
      const keysBefore = await vaultKeys(h);
      // Paused before the vault import: recovery compensates an entry with nothing in the vault yet.
      const replica = pausedReplica(h, 'key_change:journaled');
      const flow = replica.engine.changeKey(s.ann, ownRef.name, { kind: 'upload', upload: (await anotherKey(h, ownRef)).upload });
      await replica.pause.paused;
      h.clock.advanceMs(IMPORT_GRACE_MS);
      expect(await h.engine.recover()).toEqual({ completed: 0, compensated: 1, deferred: 0 });
      replica.pause.release();
      expect((await refusal(() => flow)).code).toBe('operation_in_progress');
      expect((await current(h, ownRef)).pending).toEqual([]);
      expect(await vaultKeys(h), 'the customer key imported after the compensation is destroyed').toEqual(keysBefore);
      await assertSettled(own);
    }));
});
