import { appendAudit, systemAuditActor } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import type { JournalEntry } from '../model/journal-entry.js';

/**
 * Carries out a committed decision to destroy vault keys, then its follow-up. Safe to repeat:
 * destroying an absent key is a no-op and the follow-up is a compare-and-swap.
 */
export async function completeDestroy(deps: EngineDeps, entry: JournalEntry): Promise<void> {
  for (const keyId of entry.keyIds) await deps.vault.destroy(keyId);
  await deps.steps.reached(`${entry.operation}:destroyed`);
  await deps.uow.run(async (store) => {
    if (entry.then === 'finish_lock' && entry.instanceId) {
      const instance = await store.instances.lockById(entry.instanceId);
      if (instance?.state === 'locking') {
        const at = deps.clock.now();
        await store.instances.update(instance.id, instance.generation, { state: 'locked' });
        await appendAudit(store, {
          at, tenantId: instance.tenantId, actor: systemAuditActor('scheduler'), transport: 'system', action: 'lock_completed',
          instanceName: instance.name, requestId: null, result: 'ok', code: null, details: { destroyedKeys: entry.keyIds.length },
        });
      }
    }
    await store.journal.transition(entry.id, 'open', 'done', deps.clock.now());
  });
}
