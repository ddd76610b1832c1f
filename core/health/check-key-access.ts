import { fanOutAlert } from '../alerts/fan-out-alert.js';
import { appendAudit, systemAuditActor } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import type { Instance } from '../model/instance.js';
import type { Protector } from '../model/protector.js';
import type { KeyAccess } from '../ports/vault.js';
import { keyAccessMessage } from './key-access-message.js';

/** What one health pass found. */
export interface KeyAccessReport {
  checked: number;
  /** Keys found unusable now (whether or not this pass alerted). */
  inaccessible: Array<{ tenantId: string; instance: string; cause: string }>;
  /** Transitions this process recorded and alerted: access lost, access restored. */
  lost: number;
  restored: number;
}

/**
 * Key-access health (issue 9 §5): asks the key store whether the current customer key of every active
 * instance is usable — a cheap metadata call, not a decrypt. A change from the stored state is recorded
 * with compare-and-swap, so however many replicas and ticks see it, every admin is alerted once when a key
 * becomes inaccessible and once when it recovers. A changed cause while still inaccessible is only recorded.
 */
export async function checkKeyAccess(deps: EngineDeps): Promise<KeyAccessReport> {
  const targets = await deps.uow.run(async (store) => {
    const out: Array<{ protector: Protector; instance: Instance }> = [];
    for (const protector of await store.protectors.listWithVaultKey()) {
      // Service-managed keys are the operator's to watch; admins are alerted about their own keys.
      if (protector.status !== 'active' || protector.kind === 'service') continue;
      const instance = await store.instances.byId(protector.instanceId);
      if (instance?.state === 'active' && instance.protectorId === protector.id) out.push({ protector, instance });
    }
    return out;
  });
  const report: KeyAccessReport = { checked: 0, inaccessible: [], lost: 0, restored: 0 };
  for (const { protector, instance } of targets) {
    const { cause, transition } = await checkOneKeyAccess(deps, protector, instance);
    report.checked++;
    if (cause !== null) report.inaccessible.push({ tenantId: instance.tenantId, instance: instance.name, cause });
    if (transition) report[transition]++;
  }
  return report;
}

/**
 * One key's access, asked of the key store now and recorded as `checkKeyAccess` does (compare-and-swap, one audit
 * entry and alert per transition). Also run when an unwrap succeeds with a key recorded as refused, so a key the
 * customer enabled again is marked usable at once instead of at the next tick.
 */
export async function checkOneKeyAccess(deps: EngineDeps, protector: Protector, instance: Instance): Promise<{ cause: string | null; transition: 'lost' | 'restored' | null }> {
  const access = await deps.vault.keyAccess(protector.vaultKeyId!).catch((e: unknown): KeyAccess => ({ usable: false, cause: `the key store did not answer (${e instanceof Error ? e.name : 'error'})`, refused: false }));
  const next = access.usable ? null : access.cause;
  const refused = !access.usable && access.refused;
  const previous = protector.accessProblem ?? null;
  if (next === previous && refused === (protector.accessRefused === true)) return { cause: next, transition: null };
  const at = deps.clock.now();
  const transition = await deps.uow.run(async (store) => {
    if (!(await store.protectors.compareAndSetAccessProblem(protector.id, previous, next, refused))) return null;
    if ((previous === null) === (next === null)) return null; // still inaccessible, for another reason
    await appendAudit(store, {
      at, tenantId: instance.tenantId, actor: systemAuditActor('scheduler'), transport: 'system', action: next ? 'key_access_lost' : 'key_access_restored',
      instanceName: instance.name, requestId: null, result: 'ok', code: null, details: { fingerprint: protector.fingerprint, cause: next },
    });
    await fanOutAlert(store, deps, at, instance.tenantId, keyAccessMessage(instance.name, protector.name, next, at));
    return next ? 'lost' : ('restored' as const);
  });
  return { cause: next, transition };
}
