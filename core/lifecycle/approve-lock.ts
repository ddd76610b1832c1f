import { fanOutDecision } from '../alerts/fan-out-alert.js';
import { requestDecided } from '../alerts/alert-messages.js';
import { appendAudit, auditActorOf } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import type { Admin } from '../model/admin.js';
import { approvedWith } from '../audit/append-audit.js';
import type { Request } from '../model/request.js';
import { queueHookEvent } from '../hooks/hook-event.js';
import type { JournalEntry } from '../model/journal-entry.js';
import { DEFAULT_TENANT_SETTINGS } from '../model/tenant.js';
import { destroying } from './close-key-change.js';
import { completeDestroy } from './complete-destroy.js';
import { destroyEntry } from './journal-steps.js';
import { requireCooldownOver } from './lock-cooldown.js';
import { requireNoPending } from './require-no-pending.js';
import { requireDecidersCurrent } from './require-deciders-current.js';
import { stepUpDetails } from '../step-up/step-up-policy.js';

/**
 * Approves a lock (I2): in one commit the instance becomes `locking` (the data plane refuses from
 * that moment), every wrapped DEK except the copy under the customer's protector is deleted and the
 * protector's vault key is journaled for destruction; after the destroy the instance is `locked`. With an
 * offline hook, the hook is told (`instance.locking`) and the destroy waits for the end of the drain window.
 */
export async function approveLock(deps: EngineDeps, actor: Actor, request: Request, reason: string | null, earlier: readonly Admin[] = []): Promise<Request> {
  const { decided, journal } = await deps.uow.run(async (store) => {
    const now = deps.clock.now();
    // Decide first (request row, then instance row, as the sweep locks them): a losing click learns the
    // request is closed; a later refusal rolls the decision back with the transaction.
    const d = await store.requests.decide(request.id, 'approved', actor.admin.id, now, reason);
    if (!d) throw new DomainError('request_closed', `${request.id} was already decided. Run "pending" to see what is open.`, { request: request.id });
    const instance = request.instanceId ? await store.instances.lockById(request.instanceId) : null;
    const tenant = await store.tenants.byId(request.tenantId);
    if (!instance || !tenant) throw new Error(`lock ${request.id} has no instance or tenant`);
    await requireDecidersCurrent(store, request, actor.admin, earlier, instance.name);
    if (instance.state !== 'active') throw new DomainError('instance_locked', `${instance.name} is already ${instance.state}.`, { instance: instance.name });
    // The cooldown bound when the lock was requested still applies, even if the tenant's was shortened since.
    requireCooldownOver(instance, tenant, now, request.settings?.lockCooldownHours);
    const protector = await store.protectors.byId(instance.protectorId);
    if (!protector || protector.id !== request.payload.protectorId) {
      throw new DomainError('key_mismatch', `The key of ${instance.name} changed after the lock was requested. Reject ${request.id} and request the lock again with the current key file.`);
    }
    await requireNoPending(store, instance);
    // With an offline hook, the database keys are still served for the drain window (fixed now, from the
    // tenant setting at approval), so the database can stop cleanly; nothing else of the instance is.
    const hook = await store.offlineHooks.byInstance(instance.id);
    const drainSeconds = tenant.settings.lockDrainSeconds ?? DEFAULT_TENANT_SETTINGS.lockDrainSeconds!;
    const drainUntil = hook && drainSeconds > 0 ? new Date(now.getTime() + drainSeconds * 1000) : null;
    const locking = await store.instances.update(instance.id, instance.generation, { state: 'locking', drainUntil });
    await store.keyring.deleteAllExcept(instance.id, protector.id);
    let entry: JournalEntry | null = null;
    if (!drainUntil) {
      const keyIds = protector.vaultKeyId ? [protector.vaultKeyId] : [];
      await store.protectors.update(protector.id, { vaultKeyId: null, ...destroying(protector) });
      entry = destroyEntry(deps, 'lock', instance.id, keyIds, 'finish_lock');
      await store.journal.insert(entry);
    }
    await appendAudit(store, {
      at: now, tenantId: tenant.id, actor: auditActorOf(actor), transport: actor.transport, action: 'approve',
      instanceName: instance.name, requestId: request.id, result: 'ok', code: null,
      details: { outcome: 'lock_approved', fingerprint: protector.fingerprint, drainUntil: drainUntil?.toISOString() ?? null, ...approvedWith(earlier), ...stepUpDetails(actor) },
    });
    await fanOutDecision(store, deps, now, tenant.id, requestDecided(d, instance.name, actor.admin, earlier));
    await queueHookEvent(store, deps, now, tenant, locking ?? instance, 'instance.locking', request.id, drainUntil);
    return { decided: d, journal: entry };
  });
  await deps.steps.reached('lock:committed');
  // During a drain the keys are destroyed when it ends (endDrain: the hook's 2xx or the scheduler at the deadline).
  if (journal) await completeDestroy(deps, journal);
  return decided;
}
