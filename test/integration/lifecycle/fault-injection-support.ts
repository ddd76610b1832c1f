import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'vitest';
import { createEngine, type Engine } from '../../../core/engine.js';
import type { InstanceRef } from '../../../core/data-plane/record-service.js';
import { fingerprintSpki } from '../../../core/keyfiles/fingerprint.js';
import { IMPORT_GRACE_MS, type RecoveryReport } from '../../../core/lifecycle/recover-journal.js';
import type { Instance } from '../../../core/model/instance.js';
import type { KeyFileUpload } from '../../../core/lifecycle/uploaded-key.js';
import type { JournalEntry } from '../../../core/model/journal-entry.js';
import type { Protector } from '../../../core/model/protector.js';
import type { Request } from '../../../core/model/request.js';
import type { UnreviewedChangePolicy } from '../../../core/model/tenant.js';
import type { StepHook } from '../../../core/ports/step-hook.js';
import { createHarness, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { SimulatedCrash } from '../../support/fault-hook.js';
import { assertInvariants, storedVaultKeyIds } from '../../support/invariants.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';
import { forgePfx } from '../../support/unsafe-rsa-keys.js';

/**
 * Shared by the fault-injection suites. The step lists are the contract: each suite first checks that
 * a clean run reaches exactly these steps, then crashes at every one of them. A step added to a flow
 * fails the clean-run test until it is added here, where it is picked up by the crash matrix.
 */
export const STEPS = {
  keyChange: ['key_change:journaled', 'key_change:imported', 'key_change:rewrapped', 'key_change:committed'],
  approved: ['approved:committed', 'approved:destroyed'],
  rolled_back: ['rolled_back:committed', 'rolled_back:destroyed'],
  expired_rolled_back: ['expired_rolled_back:committed', 'expired_rolled_back:destroyed'],
  expired_kept: ['expired_kept:committed', 'expired_kept:destroyed'],
  lock: ['lock:committed', 'lock:destroyed'],
  unlock: ['unlock:journaled', 'unlock:imported', 'unlock:committed'],
} as const;

const WHEN: Record<string, string> = {
  journaled: 'after journaling the import and before the vault import',
  imported: 'after the vault import and before using the key',
  rewrapped: 'after re-wrapping the DEKs and before the commit',
  committed: 'after the commit and before anything else',
  destroyed: 'after destroying the vault keys and before closing the journal entry',
};

/** "after … and before …" for a step name; throws for a step nobody described (a new, untested step). */
export function when(step: string): string {
  const text = WHEN[step.split(':')[1] ?? ''];
  if (!text) throw new Error(`no fault-injection description for step ${step}: add it and its crash test`);
  return `${text} (${step})`;
}

/** "a rollback", "an approval". */
export function a(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

/** The customer key used throughout, and its fingerprint computed independently of core's parser. */
export const PFX = { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD };
export const PFX_FINGERPRINT = fingerprintSpki(fixture('rsa-2048.pub.der'));
const CUSTOMER_KEYS: Array<{ upload: KeyFileUpload; fingerprint: string }> = [
  { upload: PFX, fingerprint: PFX_FINGERPRINT },
  { upload: { file: fixture('rsa-2048-other.pfx'), password: FIXTURE_PASSWORD }, fingerprint: fingerprintSpki(fixture('rsa-2048-other.pub.der')) },
];

/** Customer keys made on demand once the fixtures are taken: one key protects one instance at a time (issue 8 item 5). */
function freshKey(): { upload: KeyFileUpload; fingerprint: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const upload = { file: forgePfx(privateKey.export({ type: 'pkcs8', format: 'der' }), FIXTURE_PASSWORD), password: FIXTURE_PASSWORD };
  return { upload, fingerprint: fingerprintSpki(publicKey.export({ type: 'spki', format: 'der' })) };
}

/**
 * A customer key file protecting no instance now (so neither the one protecting this instance nor one in
 * use elsewhere in the scene: instances are reused from case to case).
 */
export async function anotherKey(h: Harness, _ref: InstanceRef): Promise<{ upload: KeyFileUpload; fingerprint: string }> {
  for (const key of CUSTOMER_KEYS) {
    if (!(await h.engine.deps.uow.run((store) => store.protectors.liveByFingerprint(key.fingerprint)))) return key;
  }
  const key = freshKey();
  CUSTOMER_KEYS.push(key);
  return key;
}

const LOCK_KEYS = new Map<string, { upload: KeyFileUpload; fingerprint: string }>();

/** The key an instance is locked and unlocked with: the PFX fixture for the first, a key of its own for every other. */
export function lockKeyOf(ref: InstanceRef): KeyFileUpload {
  return lockKey(ref).upload;
}

function lockKey(ref: InstanceRef): { upload: KeyFileUpload; fingerprint: string } {
  let key = LOCK_KEYS.get(ref.instanceId);
  if (!key) {
    key = LOCK_KEYS.size === 0 ? { upload: PFX, fingerprint: PFX_FINGERPRINT } : freshKey();
    LOCK_KEYS.set(ref.instanceId, key);
  }
  return key;
}
export const GENERATED_PASSWORD = 'a long enough password';

/**
 * One harness and one tenant per suite file. Each group of cases gets its own instance and reuses it from
 * case to case: every case leaves it settled (no pending request, no open journal entry), which is also
 * what each case asserts, so a case that breaks the instance fails itself first.
 */
export interface Scene {
  h: Harness;
  s: Seeded;
  /** Records every instance of the tenant must still serve (assertInvariants checks them all). */
  expected: Record<string, Record<string, string>>;
}

export async function createScene(): Promise<Scene> {
  const h = await createHarness();
  return { h, s: await seedTenant(h), expected: {} };
}

let counter = 0;

/** A new instance (service key) holding three records, registered in the scene's expectations. */
export async function newInstance(scene: Scene, label: string): Promise<InstanceRef> {
  const name = `${label.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 50)}-${++counter}`;
  const instance = await scene.h.engine.createInstance(scene.s.tenant.id, name);
  const ref = { instanceId: instance.id, tenantId: scene.s.tenant.id, name };
  const records = { 'customer/1': `Ada Lovelace of ${name}`, 'customer/2': 'Grace Hopper', 'invoice/2026-001': 'EUR 1 200,00 ✓' };
  for (const [k, v] of Object.entries(records)) await scene.h.engine.records.put(ref, k, Buffer.from(v));
  scene.expected[name] = records;
  return ref;
}

/** Runs `fn` and returns the steps it reached. */
export async function stepsOf(h: Harness, fn: () => Promise<unknown>): Promise<string[]> {
  const from = h.faults.seen.length;
  await fn();
  return h.faults.seen.slice(from).filter((step) => step !== APPROVAL_COUNTED);
}

/** The seam between counting an approval and deciding: no journaled work is open there (race tests act at it). */
export const APPROVAL_COUNTED = 'approval:counted';

/** Arms `step`, runs `fn` and expects the simulated process death there. */
export async function crashAt(h: Harness, step: string, fn: () => Promise<unknown>): Promise<void> {
  h.faults.arm(step);
  await expect(fn()).rejects.toSatisfy((e) => e instanceof SimulatedCrash && e.step === step);
}

/** Disarms the fault hook (a case that failed before reaching its step must not crash the next one). */
export function disarm(h: Harness): void {
  h.faults.arm('(disarmed)');
}

/** What a restarted process does: a new engine, optionally after the import grace period, then recovery. */
export async function restartAndRecover(h: Harness, opts: { afterGrace?: boolean } = {}): Promise<RecoveryReport> {
  h.restart();
  if (opts.afterGrace) h.clock.advanceMs(IMPORT_GRACE_MS);
  return h.engine.recover();
}

/** Journal entries recovery would still have to finish. */
export function openJournal(h: Harness): Promise<JournalEntry[]> {
  return h.db.uow.run((store) => store.journal.unfinished());
}

/** The instance row, its current protector and its pending requests. */
export async function current(h: Harness, ref: InstanceRef): Promise<{ instance: Instance; protector: Protector; pending: Request[] }> {
  return h.db.uow.run(async (store) => {
    const instance = (await store.instances.byId(ref.instanceId))!;
    return { instance, protector: (await store.protectors.byId(instance.protectorId))!, pending: await store.requests.pendingForInstance(instance.id) };
  });
}

export function requestById(h: Harness, id: string): Promise<Request | null> {
  return h.db.uow.run((store) => store.requests.byId(id));
}

export async function vaultHas(h: Harness, keyId: string | null): Promise<boolean> {
  return keyId !== null && (await h.vault.publicKey(keyId)) !== null;
}

export async function setPolicy(scene: Scene, policy: UnreviewedChangePolicy): Promise<void> {
  await scene.h.db.uow.run(async (store) => {
    const tenant = (await store.tenants.byId(scene.s.tenant.id))!;
    await store.tenants.updateSettings(tenant.id, { ...tenant.settings, unreviewedChangePolicy: policy });
  });
}

/** The end state every case must reach: invariants hold and no journal entry is left open. */
export async function assertSettled(scene: Scene): Promise<void> {
  expect(await openJournal(scene.h), 'no journal entry left open').toEqual([]);
  await assertInvariants(scene.h, scene.s.tenant.id, scene.expected);
}

/** Vault keys stored now (sorted), to compare before and after a crash. */
export async function vaultKeys(h: Harness): Promise<string[]> {
  return (await storedVaultKeyIds(h)).sort();
}

/**
 * A pending lock request by ann on the instance (active): first, unless it is already on its lock key (lockKeyOf), that
 * key is uploaded and approved, and the lock cooldown is waited out.
 */
export async function requestLockOf(scene: Scene, ref: InstanceRef): Promise<{ lock: Request; protector: Protector }> {
  const { h, s } = scene;
  const key = lockKey(ref);
  if ((await current(h, ref)).protector.fingerprint !== key.fingerprint) {
    const up = await h.engine.changeKey(s.ann, ref.name, { kind: 'upload', upload: key.upload });
    await h.engine.decide(s.bob, up.request.id, 'approve');
  }
  const [status] = await h.engine.status(s.tenant.id, ref.name);
  const wait = status?.lockAllowedAt ? Date.parse(status.lockAllowedAt) - h.clock.now().getTime() : 0;
  if (wait > 0) h.clock.advanceMs(wait);
  const lock = await h.engine.requestLock(s.ann, ref.name, { confirm: ref.name, upload: key.upload });
  return { lock, protector: (await current(h, ref)).protector };
}

/** Locks the instance (request by ann, approval by bob, completed). */
export async function lockInstance(scene: Scene, ref: InstanceRef): Promise<void> {
  const { lock } = await requestLockOf(scene, ref);
  await scene.h.engine.decide(scene.s.bob, lock.id, 'approve');
}

/**
 * A StepHook that holds the flow at `step` until released: the flow is "in flight" in another
 * process while the test drives a recovery pass from the harness engine.
 */
export class PauseAt implements StepHook {
  readonly paused: Promise<void>;
  private signal!: () => void;
  private gate!: () => void;
  private readonly held: Promise<void>;
  private hit = false;

  constructor(private readonly step: string) {
    this.paused = new Promise((resolve) => (this.signal = resolve));
    this.held = new Promise((resolve) => (this.gate = resolve));
  }

  async reached(step: string): Promise<void> {
    if (step !== this.step || this.hit) return;
    this.hit = true;
    this.signal();
    await this.held;
  }

  release(): void {
    this.gate();
  }
}

/** A second engine ("replica") on the same database and vault whose flows pause at `step`. */
export function pausedReplica(h: Harness, step: string): { engine: Engine; pause: PauseAt } {
  const pause = new PauseAt(step);
  return { engine: createEngine({ ...h.engine.deps, steps: pause }), pause };
}

/** A harness used by one test only (bug reproductions leave state that would break shared suites). */
export async function withOwnScene(fn: (scene: Scene) => Promise<void>): Promise<void> {
  const scene = await createScene();
  try {
    await fn(scene);
  } finally {
    await scene.h.dispose();
  }
}
