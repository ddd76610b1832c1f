import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRef } from '../../../core/data-plane/record-service.js';
import type { KeyChangeSource } from '../../../core/lifecycle/key-change.js';
import { IMPORT_GRACE_MS } from '../../../core/lifecycle/recover-journal.js';
import { refusal } from '../../support/engine-harness.js';
import {
  GENERATED_PASSWORD, PFX, PFX_FINGERPRINT, STEPS, assertSettled, crashAt, createScene, current, disarm, newInstance, openJournal,
  pausedReplica, restartAndRecover, stepsOf, vaultHas, vaultKeys, when, withOwnScene, type Scene,
} from './fault-injection-support.js';

/** The three ways to change a key; revert starts from an approved customer key. */
const FLOWS: Array<{ flow: string; what: string; source: KeyChangeSource; kind: string; prepare: (scene: Scene, label: string) => Promise<InstanceRef> }> = [
  { flow: 'upload', what: 'key upload', source: { kind: 'upload', upload: PFX }, kind: 'pfx', prepare: newInstance },
  { flow: 'generate', what: 'key generation', source: { kind: 'generate', password: GENERATED_PASSWORD }, kind: 'generated', prepare: newInstance },
  {
    flow: 'revert', what: 'revert to a service key', source: { kind: 'revert' }, kind: 'service',
    prepare: async (scene, label) => {
      const ref = await newInstance(scene, label);
      const up = await scene.h.engine.changeKey(scene.s.ann, ref.name, { kind: 'upload', upload: PFX });
      await scene.h.engine.decide(scene.s.bob, up.request.id, 'approve');
      return ref;
    },
  },
];

const COMMIT = STEPS.keyChange.indexOf('key_change:committed');

describe.each(FLOWS)('a key change by $flow', ({ flow, what, source, kind, prepare }) => {
  let scene: Scene;
  beforeAll(async () => {
    scene = await createScene();
  });
  afterAll(() => scene.h.dispose());
  afterEach(() => disarm(scene.h));

  /** Closes the review so no pending request is left for a later case's sweep or lock. */
  const approvePending = async (ref: InstanceRef) => {
    const [pending] = (await current(scene.h, ref)).pending;
    await scene.h.engine.decide(scene.s.bob, pending!.id, 'approve');
  };

  it(`reaches exactly the journaled steps on a clean ${what}`, async () => {
    const { h, s } = scene;
    const ref = await prepare(scene, `${flow}-clean`);
    expect(await stepsOf(h, () => h.engine.changeKey(s.ann, ref.name, source))).toEqual(STEPS.keyChange);
    expect(await stepsOf(h, () => h.engine.recover())).toEqual([]);
    await assertSettled(scene);
    await approvePending(ref);
  });

  for (const step of STEPS.keyChange.slice(0, COMMIT)) {
    it(`undoes a ${what} whose process died ${when(step)}, and the change can be made again`, async () => {
      const { h, s } = scene;
      const ref = await prepare(scene, `${flow}-${step}`);
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
      await assertSettled(scene);
      await approvePending(ref);
    });
  }

  for (const step of STEPS.keyChange.slice(COMMIT)) {
    it(`keeps a ${what} whose process died ${when(step)}: the change awaits review on the new key`, async () => {
      const { h, s } = scene;
      const ref = await prepare(scene, `${flow}-${step}`);
      const before = await current(h, ref);
      await crashAt(h, step, () => h.engine.changeKey(s.ann, ref.name, source));
      expect(await openJournal(h)).toEqual([]);

      expect(await restartAndRecover(h, { afterGrace: true })).toEqual({ completed: 0, compensated: 0, deferred: 0 });
      const after = await current(h, ref);
      expect(after.pending.map((r) => [r.type, r.state, r.requestedBy])).toEqual([['key_change', 'pending', s.ann.admin.id]]);
      expect(after.protector).toMatchObject({ kind, status: 'active' });
      expect(after.protector.id).not.toBe(before.protector.id);
      if (flow === 'upload') expect(after.protector.fingerprint).toBe(PFX_FINGERPRINT);
      expect(await vaultHas(h, after.protector.vaultKeyId)).toBe(true);
      expect(await vaultHas(h, before.protector.vaultKeyId), 'the previous key stays until the review').toBe(true);
      await assertSettled(scene);

      await approvePending(ref);
      await assertSettled(scene);
    });
  }
});

describe('a key change racing a recovery pass on another replica', () => {
  let scene: Scene;
  beforeAll(async () => {
    scene = await createScene();
  });
  afterAll(() => scene.h.dispose());
  afterEach(() => disarm(scene.h));

  it('leaves an import younger than the grace period to the flow still running, which then commits', async () => {
    const { h, s } = scene;
    const ref = await newInstance(scene, 'race-young');
    const replica = pausedReplica(h, 'key_change:rewrapped');
    const flow = replica.engine.changeKey(s.ann, ref.name, { kind: 'upload', upload: PFX });
    await replica.pause.paused;
    h.clock.advanceMs(IMPORT_GRACE_MS - 1);
    expect(await h.engine.recover()).toEqual({ completed: 0, compensated: 0, deferred: 1 });
    replica.pause.release();
    const done = await flow;
    expect(done.request.state).toBe('pending');
    expect((await current(h, ref)).protector.fingerprint).toBe(PFX_FINGERPRINT);
    expect(await h.engine.recover()).toEqual({ completed: 0, compensated: 0, deferred: 0 });
    await assertSettled(scene);
    await h.engine.decide(s.bob, done.request.id, 'approve');
  });

  it('compensates an import older than the grace period; the late commit is refused with operation_in_progress and the old key still serves', async () => {
    const { h, s } = scene;
    const ref = await newInstance(scene, 'race-old');
    const before = await current(h, ref);
    const keysBefore = await vaultKeys(h);
    const replica = pausedReplica(h, 'key_change:rewrapped');
    const flow = replica.engine.changeKey(s.ann, ref.name, { kind: 'upload', upload: PFX });
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
    const retry = await h.engine.changeKey(s.ann, ref.name, { kind: 'upload', upload: PFX });
    await h.engine.decide(s.bob, retry.request.id, 'approve');
    await assertSettled(scene);
  });

  it('commits a key change retried right after a crash, and the later recovery only removes the dead attempt\'s key', async () => {
    const { h, s } = scene;
    const ref = await newInstance(scene, 'retry-before-recovery');
    await crashAt(h, 'key_change:rewrapped', () => h.engine.changeKey(s.ann, ref.name, { kind: 'generate', password: GENERATED_PASSWORD }));
    h.restart();
    const retry = await h.engine.changeKey(s.ann, ref.name, { kind: 'upload', upload: PFX });
    expect(await restartAndRecover(h, { afterGrace: true })).toEqual({ completed: 0, compensated: 1, deferred: 0 });
    expect((await current(h, ref)).protector.id).toBe(retry.protector.id);
    expect(await vaultHas(h, retry.protector.vaultKeyId)).toBe(true);
    await assertSettled(scene);
    await h.engine.decide(s.bob, retry.request.id, 'approve');
  });

  it('does not leave the imported key in the vault when a flow resumes after recovery undid its journal entry', () =>
    withOwnScene(async (own) => {
      const { h, s } = own;
      const ref = await newInstance(own, 'race-before-import');
      const keysBefore = await vaultKeys(h);
      // Paused before the vault import: recovery compensates an entry that has nothing in the vault yet.
      const replica = pausedReplica(h, 'key_change:journaled');
      const flow = replica.engine.changeKey(s.ann, ref.name, { kind: 'upload', upload: PFX });
      await replica.pause.paused;
      h.clock.advanceMs(IMPORT_GRACE_MS);
      expect(await h.engine.recover()).toEqual({ completed: 0, compensated: 1, deferred: 0 });
      replica.pause.release();
      expect((await refusal(() => flow)).code).toBe('operation_in_progress');
      expect((await current(h, ref)).pending).toEqual([]);
      expect(await vaultKeys(h), 'the customer key imported after the compensation is destroyed').toEqual(keysBefore);
      await assertSettled(own);
    }));
});
