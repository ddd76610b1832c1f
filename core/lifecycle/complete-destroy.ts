import { fanOutAlert } from '../alerts/fan-out-alert.js';
import { instanceLocked } from '../alerts/alert-messages.js';
import { appendAudit, systemAuditActor } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import type { JournalEntry } from '../model/journal-entry.js';
import type { ProtectorDestruction } from '../model/protector.js';

/**
 * Carries out a committed decision to destroy vault keys, records what the key store achieved for each
 * (destroyed for good, or only soft-deleted until a time) on its protector and in the audit, then runs
 * the follow-up. Safe to repeat: destroying an absent key reports `destroyed` and the follow-up is a CAS.
 */
export async function completeDestroy(deps: EngineDeps, entry: JournalEntry): Promise<void> {
  const outcomes: Array<{ keyId: string; destruction: ProtectorDestruction }> = [];
  for (const keyId of entry.keyIds) {
    const result = await deps.vault.destroy(keyId);
    outcomes.push({ keyId, destruction: { outcome: result.outcome, recoverableUntil: result.outcome === 'deleted' ? result.recoverableUntil : null, at: deps.clock.now() } });
  }
  await deps.steps.reached(`${entry.operation}:destroyed`);
  await deps.uow.run(async (store) => {
    const at = deps.clock.now();
    const instance = entry.instanceId ? await store.instances.lockById(entry.instanceId) : null;
    // Whoever completes the entry first records it; a concurrent or repeated completion has nothing left to do.
    if (!(await store.journal.transition(entry.id, 'open', 'done', at))) return;
    for (const o of outcomes) {
      const protector = await store.protectors.recordDestruction(o.keyId, o.destruction);
      // Only a protector's key is worth an audit line; throwaway check keys and compensated imports never protected data.
      if (protector && instance) {
        await appendAudit(store, {
          at, tenantId: instance.tenantId, actor: systemAuditActor('scheduler'), transport: 'system', action: 'key_destroyed',
          instanceName: instance.name, requestId: null, result: 'ok', code: null,
          details: { fingerprint: protector.fingerprint, operation: entry.operation, outcome: o.destruction.outcome, recoverableUntil: o.destruction.recoverableUntil?.toISOString() ?? null },
        });
      }
    }
    if (entry.then === 'finish_lock' && instance?.state === 'locking') {
      await store.instances.update(instance.id, instance.generation, { state: 'locked' });
      const deleted = outcomes.find((o) => o.destruction.outcome === 'deleted')?.destruction ?? null;
      await appendAudit(store, {
        at, tenantId: instance.tenantId, actor: systemAuditActor('scheduler'), transport: 'system', action: 'lock_completed',
        instanceName: instance.name, requestId: null, result: 'ok', code: null,
        details: { destroyedKeys: entry.keyIds.length, outcome: deleted ? 'deleted' : 'destroyed', recoverableUntil: deleted?.recoverableUntil?.toISOString() ?? null },
      });
      await fanOutAlert(store, deps, at, instance.tenantId, instanceLocked(instance.name, deleted?.recoverableUntil ?? null, at));
    }
  });
}
