import { newId } from '../ids.js';
import type { JournalEntry } from '../model/journal-entry.js';
import type { EngineDeps } from '../engine-deps.js';

/** Records, before touching the vault, that keys are about to be imported for an operation. */
export async function beginImport(deps: EngineDeps, operation: string, instanceId: string | null, keyIds: string[]): Promise<JournalEntry> {
  const at = deps.clock.now();
  const entry: JournalEntry = { id: newId(deps.random), kind: 'import', operation, instanceId, keyIds, then: null, state: 'open', createdAt: at, updatedAt: at };
  await deps.uow.run((store) => store.journal.insert(entry));
  return entry;
}

/** A destroy entry, written by the caller inside the commit that decides the keys must go. */
export function destroyEntry(deps: EngineDeps, operation: string, instanceId: string, keyIds: string[], then: JournalEntry['then'] = null): JournalEntry {
  const at = deps.clock.now();
  return { id: newId(deps.random), kind: 'destroy', operation, instanceId, keyIds, then, state: 'open', createdAt: at, updatedAt: at };
}

/**
 * Undoes an import whose commit never happened. The CAS open→compensating races the commit's
 * own CAS open→done, so exactly one of them wins: a committed key is never destroyed.
 */
export async function compensateImport(deps: EngineDeps, entry: JournalEntry): Promise<boolean> {
  if (entry.state === 'open') {
    const won = await deps.uow.run((store) => store.journal.transition(entry.id, 'open', 'compensating', deps.clock.now()));
    if (!won) {
      // Lost the race. If the commit won, the key is in use; if recovery won, it may have run before
      // this process imported the key, so the key must still go (destroy is idempotent).
      const now = await deps.uow.run((store) => store.journal.byId(entry.id));
      if (!now || now.state === 'done') return false;
      for (const keyId of entry.keyIds) await deps.vault.destroy(keyId);
      return false;
    }
  }
  for (const keyId of entry.keyIds) await deps.vault.destroy(keyId);
  await deps.uow.run((store) => store.journal.transition(entry.id, 'compensating', 'compensated', deps.clock.now()));
  deps.logger.info('journal: import compensated', { journal: entry.id, operation: entry.operation });
  return true;
}
