import { appendAudit, systemAuditActor } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { destroying } from '../lifecycle/close-key-change.js';
import { completeDestroy } from '../lifecycle/complete-destroy.js';
import { destroyEntry } from '../lifecycle/journal-steps.js';

/** Why a drain window ended. */
export type DrainEnd = 'hook_acknowledged' | 'deadline';

/**
 * Ends a lock's drain window: in one commit the KV endpoint stops serving (drainUntil cleared, generation
 * bumped), the protector loses its vault key and the destroy is journaled with `finish_lock`; then the
 * journaled steps run as for a lock without a hook (a crash after the commit is completed by recovery).
 * A `deadline` end applies only once the window is over; an acknowledgement names the window (`drainOf`) it
 * answers. Returns false when there was no drain to end.
 */
export async function endDrain(deps: EngineDeps, instanceId: string, cause: DrainEnd, drainOf?: Date): Promise<boolean> {
  const journal = await deps.uow.run(async (store) => {
    const now = deps.clock.now();
    const instance = await store.instances.lockById(instanceId);
    if (!instance || instance.state !== 'locking' || !instance.drainUntil) return null;
    if (cause === 'deadline' && instance.drainUntil.getTime() > now.getTime()) return null;
    // An acknowledgement ends only the drain it was about, never a later lock's (a retried event of an earlier lock).
    if (drainOf && drainOf.getTime() !== instance.drainUntil.getTime()) return null;
    const protector = await store.protectors.byId(instance.protectorId);
    const keyIds = protector?.vaultKeyId ? [protector.vaultKeyId] : [];
    if (protector) await store.protectors.update(protector.id, { vaultKeyId: null, ...destroying(protector) });
    await store.instances.update(instance.id, instance.generation, { drainUntil: null });
    const entry = destroyEntry(deps, 'lock', instance.id, keyIds, 'finish_lock');
    await store.journal.insert(entry);
    await appendAudit(store, {
      at: now, tenantId: instance.tenantId, actor: systemAuditActor('scheduler'), transport: 'system', action: 'lock_drain_ended',
      instanceName: instance.name, requestId: null, result: 'ok', code: null, details: { cause, drainUntil: instance.drainUntil.toISOString() },
    });
    return entry;
  });
  if (!journal) return false;
  await deps.steps.reached('lock:drain_ended');
  await completeDestroy(deps, journal);
  return true;
}

/** Ends every drain window that is over (scheduler tick, on the engine's clock); returns how many. */
export async function sweepDrains(deps: EngineDeps): Promise<number> {
  const due = await deps.uow.run((store) => store.instances.drainsDue(deps.clock.now()));
  let ended = 0;
  for (const id of due) if (await endDrain(deps, id, 'deadline')) ended++;
  return ended;
}
