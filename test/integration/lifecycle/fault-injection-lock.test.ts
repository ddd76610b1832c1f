import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRef } from '../../../core/data-plane/record-service.js';
import { IMPORT_GRACE_MS } from '../../../core/lifecycle/recover-journal.js';
import { refusal, type Harness } from '../../support/engine-harness.js';
import {
  APPROVAL_COUNTED, lockKeyOf, STEPS, assertSettled, crashAt, createScene, current, disarm, lockInstance, newInstance, pausedReplica, requestById, requestLockOf,
  restartAndRecover, stepsOf, vaultHas, vaultKeys, when, withOwnScene, type Scene,
} from './fault-injection-support.js';

let scene: Scene;
beforeAll(async () => {
  scene = await createScene();
});
afterAll(() => scene.h.dispose());
afterEach(() => disarm(scene.h));

/** The data plane of a fresh engine (another replica) refuses the instance. */
async function expectRefused(h: Harness, ref: InstanceRef): Promise<void> {
  const engine = h.restart();
  expect((await refusal(() => engine.records.get(ref, 'customer/1'))).code).toBe('instance_locked');
  expect((await refusal(() => engine.records.put(ref, 'customer/9', Buffer.from('x')))).code).toBe('instance_locked');
}

async function expectReadable(sc: Scene, ref: InstanceRef): Promise<void> {
  const engine = sc.h.restart();
  expect((await engine.records.get(ref, 'customer/2')).toString()).toBe(sc.expected[ref.name]!['customer/2']);
}

describe('a lock approval', () => {
  let ref: InstanceRef;
  beforeAll(async () => {
    ref = await newInstance(scene, 'lock');
  });

  /** Locked for good: request approved, no key material, data refused; then the same key file unlocks it. */
  const expectLockedThenUnlockable = async (lockId: string) => {
    const { h, s } = scene;
    expect(await requestById(h, lockId)).toMatchObject({ state: 'approved' });
    expect((await current(h, ref)).instance.state).toBe('locked');
    await expectRefused(h, ref);
    await assertSettled(scene);
    await h.engine.unlock(s.ann, ref.name, lockKeyOf(ref));
    await expectReadable(scene, ref);
    await assertSettled(scene);
  };

  it('reaches exactly the journaled steps on a clean lock approval', async () => {
    const { h, s } = scene;
    const { lock } = await requestLockOf(scene, ref);
    expect(await stepsOf(h, () => h.engine.decide(s.bob, lock.id, 'approve'))).toEqual(STEPS.lock);
    await expectLockedThenUnlockable(lock.id);
  });

  it('changes nothing when the process dies after counting the approval and before deciding: pending, readable, key kept', async () => {
    const { h, s } = scene;
    const { lock, protector } = await requestLockOf(scene, ref);
    await crashAt(h, APPROVAL_COUNTED, () => h.engine.decide(s.bob, lock.id, 'approve'));
    expect((await requestById(h, lock.id))!.state).toBe('pending');
    await expectReadable(scene, ref);
    expect(await vaultHas(h, protector.vaultKeyId)).toBe(true);
    expect(await restartAndRecover(h)).toEqual({ completed: 0, compensated: 0, deferred: 0 });
    await h.engine.decide(s.bob, lock.id, 'approve');
    await expectLockedThenUnlockable(lock.id);
  });

  for (const step of STEPS.lock) {
    it(`completes a lock whose process died ${when(step)}, refusing data from the commit on`, async () => {
      const { h, s } = scene;
      const { lock, protector } = await requestLockOf(scene, ref);
      await crashAt(h, step, () => h.engine.decide(s.bob, lock.id, 'approve'));
      // Half-done: committed as `locking`, so every replica already refuses the data.
      expect((await current(h, ref)).instance.state).toBe('locking');
      await expectRefused(h, ref);
      expect(await vaultHas(h, protector.vaultKeyId), 'the key is still there only if the process died before destroying it').toBe(step === 'lock:committed');
      expect(await restartAndRecover(h)).toEqual({ completed: 1, compensated: 0, deferred: 0 });
      expect(await vaultHas(h, protector.vaultKeyId)).toBe(false);
      await expectLockedThenUnlockable(lock.id);
    });
  }

  it(`completes a lock when the recovery pass dies too, ${when('lock:destroyed')}`, async () => {
    const { h, s } = scene;
    const { lock } = await requestLockOf(scene, ref);
    await crashAt(h, 'lock:committed', () => h.engine.decide(s.bob, lock.id, 'approve'));
    await crashAt(h, 'lock:destroyed', () => restartAndRecover(h));
    expect((await current(h, ref)).instance.state).toBe('locking');
    await expectRefused(h, ref);
    expect(await restartAndRecover(h)).toEqual({ completed: 1, compensated: 0, deferred: 0 });
    await expectLockedThenUnlockable(lock.id);
  });
});

describe('an unlock', () => {
  let ref: InstanceRef;
  beforeAll(async () => {
    ref = await newInstance(scene, 'unlock');
  });

  /** Active again on the re-imported key, readable from a fresh replica. */
  const expectActive = async () => {
    const { h } = scene;
    const after = await current(h, ref);
    expect(after.instance.state).toBe('active');
    expect(await vaultHas(h, after.protector.vaultKeyId), 'the re-imported key is in the vault').toBe(true);
    await expectReadable(scene, ref);
    await assertSettled(scene);
  };

  it('reaches exactly the journaled steps on a clean unlock', async () => {
    const { h, s } = scene;
    await lockInstance(scene, ref);
    expect(await stepsOf(h, () => h.engine.unlock(s.ann, ref.name, lockKeyOf(ref)))).toEqual(STEPS.unlock);
    await expectActive();
  });

  const COMMIT = STEPS.unlock.indexOf('unlock:committed');
  for (const step of STEPS.unlock.slice(0, COMMIT)) {
    it(`undoes an unlock whose process died ${when(step)}: still locked, key destroyed, and the unlock can be retried`, async () => {
      const { h, s } = scene;
      await lockInstance(scene, ref);
        const keysBefore = await vaultKeys(h);
      await crashAt(h, step, () => h.engine.unlock(s.ann, ref.name, lockKeyOf(ref)));
      expect((await vaultKeys(h)).length - keysBefore.length, 'the dead process left the key in the vault if it got that far').toBe(step === 'unlock:imported' ? 1 : 0);
      expect(await restartAndRecover(h, { afterGrace: true })).toEqual({ completed: 0, compensated: 1, deferred: 0 });
      expect((await current(h, ref)).instance.state).toBe('locked');
      expect(await vaultKeys(h), 'the imported key is destroyed').toEqual(keysBefore);
      await expectRefused(h, ref);
      await assertSettled(scene);

      await h.engine.unlock(s.ann, ref.name, lockKeyOf(ref));
      await expectActive();
    });
  }

  for (const step of STEPS.unlock.slice(COMMIT)) {
    it(`keeps an unlock whose process died ${when(step)}: active and readable`, async () => {
      const { h, s } = scene;
      await lockInstance(scene, ref);
        await crashAt(h, step, () => h.engine.unlock(s.ann, ref.name, lockKeyOf(ref)));
      expect(await restartAndRecover(h, { afterGrace: true })).toEqual({ completed: 0, compensated: 0, deferred: 0 });
      await expectActive();
    });
  }

  it('leaves an unlock still in flight alone during the grace period; it then commits', async () => {
    const { h, s } = scene;
    await lockInstance(scene, ref);
    const replica = pausedReplica(h, 'unlock:imported');
    const flow = replica.engine.unlock(s.ann, ref.name, lockKeyOf(ref));
    await replica.pause.paused;
    h.clock.advanceMs(IMPORT_GRACE_MS - 1);
    expect(await h.engine.recover()).toEqual({ completed: 0, compensated: 0, deferred: 1 });
    replica.pause.release();
    expect((await flow).state).toBe('active');
    await expectActive();
  });

  it('compensates an unlock import older than the grace period; the late unlock is refused with operation_in_progress and stays locked', async () => {
    const { h, s } = scene;
    await lockInstance(scene, ref);
    const keysBefore = await vaultKeys(h);
    const replica = pausedReplica(h, 'unlock:imported');
    const flow = replica.engine.unlock(s.ann, ref.name, lockKeyOf(ref));
    await replica.pause.paused;
    h.clock.advanceMs(IMPORT_GRACE_MS);
    expect(await h.engine.recover()).toEqual({ completed: 0, compensated: 1, deferred: 0 });
    replica.pause.release();
    const outcome = await flow.then(
      () => 'unlocked',
      (e: { code?: string; message?: string }) => e.code ?? `raw error: ${e.message}`,
    );
    expect((await current(h, ref)).instance.state).toBe('locked');
    expect(await vaultKeys(h)).toEqual(keysBefore);
    await assertSettled(scene);
    // Leave the instance active for the next case, then check the refusal itself.
    await h.engine.unlock(s.ann, ref.name, lockKeyOf(ref));
    expect(outcome).toBe('operation_in_progress');
  });

  // The following reproduce defects that leave state the shared scene must not inherit: each runs on its own harness.

  it('does not leave the key of a locked instance in the vault when an unlock resumes after recovery undid its journal entry (I2)', () =>
    withOwnScene(async (own) => {
      const { h, s } = own;
      const ownRef = await newInstance(own, 'unlock-race-before-import');
      await lockInstance(own, ownRef);
      const keysBefore = await vaultKeys(h);
      const replica = pausedReplica(h, 'unlock:journaled');
      const flow = replica.engine.unlock(s.ann, ownRef.name, lockKeyOf(ownRef));
      await replica.pause.paused;
      h.clock.advanceMs(IMPORT_GRACE_MS);
      expect(await h.engine.recover()).toEqual({ completed: 0, compensated: 1, deferred: 0 });
      replica.pause.release();
      expect((await refusal(() => flow)).code).toBe('operation_in_progress');
      expect((await current(h, ownRef)).instance.state).toBe('locked');
      expect(await vaultKeys(h), 'no usable key of the locked instance is left in the vault').toEqual(keysBefore);
      await assertSettled(own);
    }));

  it('keeps the instance readable when two unlocks race: the loser is refused and undoes only its own import', () =>
    withOwnScene(async (own) => {
      const { h, s } = own;
      const ownRef = await newInstance(own, 'unlock-double');
      await lockInstance(own, ownRef);
      // Two replicas (a double click, or two admins) both get as far as the vault import; then A commits first.
      const a = pausedReplica(h, 'unlock:imported');
      const b = pausedReplica(h, 'unlock:imported');
      const first = a.engine.unlock(s.ann, ownRef.name, lockKeyOf(ownRef));
      const second = b.engine.unlock(s.bob, ownRef.name, lockKeyOf(ownRef));
      await Promise.all([a.pause.paused, b.pause.paused]);
      a.pause.release();
      expect((await first).state).toBe('active');
      b.pause.release();
      expect((await refusal(() => second)).code).toBe('operation_in_progress');
      const { protector } = await current(h, ownRef);
      expect(await vaultHas(h, protector.vaultKeyId), 'the unlocked instance still has its key').toBe(true);
      await expectReadable(own, ownRef);
      await assertSettled(own);
    }));

  it('keeps an unlock retried right after a crash readable when recovery later undoes the crashed attempt', () =>
    withOwnScene(async (own) => {
      const { h, s } = own;
      const ownRef = await newInstance(own, 'unlock-retry-before-recovery');
      await lockInstance(own, ownRef);
      await crashAt(h, 'unlock:imported', () => h.engine.unlock(s.ann, ownRef.name, lockKeyOf(ownRef)));
      // The admin tries again at once, on the restarted process; the retry commits.
      h.restart();
      expect((await h.engine.unlock(s.ann, ownRef.name, lockKeyOf(ownRef))).state).toBe('active');
      const { protector } = await current(h, ownRef);
      // Minutes later, recovery compensates the crashed attempt's import; it must not take the live key with it.
      expect(await restartAndRecover(h, { afterGrace: true })).toMatchObject({ completed: 0, compensated: 1 });
      expect(await vaultHas(h, protector.vaultKeyId), 'the active instance still has its key').toBe(true);
      await expectReadable(own, ownRef);
      await assertSettled(own);
    }));
});
