import { fanOutDecision } from '../alerts/fan-out-alert.js';
import { requestDecided } from '../alerts/alert-messages.js';
import { appendAudit, approvedWith, auditActorOf, systemAuditActor } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import type { Admin } from '../model/admin.js';
import type { JournalEntry } from '../model/journal-entry.js';
import type { Protector } from '../model/protector.js';
import type { Request, RequestState } from '../model/request.js';
import type { Store } from '../ports/store.js';
import { destroyEntry } from './journal-steps.js';
import { requireDecidersCurrent } from './require-deciders-current.js';
import { stepUpDetails } from '../step-up/step-up-policy.js';

/** How a key change can end. */
export type KeyChangeOutcome = Extract<RequestState, 'approved' | 'rolled_back' | 'expired_rolled_back' | 'expired_kept'>;

const KEEPS: ReadonlySet<RequestState> = new Set(['approved', 'expired_kept']);

/**
 * Decides a pending key change inside the caller's transaction. Keeping it retires the previous
 * protector; rolling it back restores the previous one and discards the new one. Either way the
 * discarded key's vault material is journaled for destruction, which the caller then completes.
 */
export async function closeKeyChange(store: Store, deps: EngineDeps, request: Request, outcome: KeyChangeOutcome, decider: Actor | null, reason: string | null, earlier: readonly Admin[] = []): Promise<{ request: Request; journal: JournalEntry | null }> {
  const now = deps.clock.now();
  // Request row first, then instance row: the same lock order as the deadline sweep, so the two never deadlock.
  const decided = await store.requests.decide(request.id, outcome, decider?.admin.id ?? null, now, reason);
  if (!decided) throw new DomainError('request_closed', `${request.id} was already decided. Run "pending" to see what is open.`, { request: request.id });
  const instance = request.instanceId ? await store.instances.lockById(request.instanceId) : null;
  if (!instance) throw new Error(`key_change ${request.id} has no instance`);
  if (decider) await requireDecidersCurrent(store, request, decider.admin, earlier, instance.name);

  const newId = request.payload.newProtectorId;
  const prevId = request.payload.previousProtectorId;
  const [fresh, previous] = await Promise.all([newId ? store.protectors.byId(newId) : null, prevId ? store.protectors.byId(prevId) : null]);
  if (!fresh || !previous || instance.protectorId !== fresh.id) throw new Error(`key_change ${request.id} does not match instance ${instance.id}`);

  const discarded = KEEPS.has(outcome) ? previous : fresh;
  const keyIds = discarded.vaultKeyId ? [discarded.vaultKeyId] : [];
  await store.keyring.deleteByProtector(instance.id, discarded.id);
  if (KEEPS.has(outcome)) {
    await store.protectors.update(previous.id, { status: 'retired', vaultKeyId: null, ...destroying(previous) });
    await store.instances.update(instance.id, instance.generation, {});
  } else {
    await store.protectors.update(fresh.id, { status: 'destroyed', vaultKeyId: null, ...destroying(fresh) });
    await store.protectors.update(previous.id, { status: 'active' });
    await store.instances.update(instance.id, instance.generation, {
      protectorId: previous.id, keyMode: previous.kind === 'service' ? 'service' : 'customer', lastKeyChangeAt: now,
    });
  }
  const journal = keyIds.length > 0 ? destroyEntry(deps, outcome, instance.id, keyIds) : null;
  if (journal) await store.journal.insert(journal);
  await appendAudit(store, {
    at: now, tenantId: request.tenantId, actor: decider ? auditActorOf(decider) : systemAuditActor('scheduler'), transport: decider?.transport ?? 'system',
    action: outcome === 'approved' ? 'approve' : outcome === 'rolled_back' ? 'rollback' : 'expire', instanceName: instance.name, requestId: request.id,
    result: 'ok', code: null, details: { outcome, activeFingerprint: (KEEPS.has(outcome) ? fresh : previous).fingerprint, discardedFingerprint: discarded.fingerprint, ...approvedWith(earlier), ...(decider ? stepUpDetails(decider) : {}) },
  });
  await fanOutDecision(store, deps, now, request.tenantId, requestDecided(decided, instance.name, decider?.admin ?? null, earlier));
  return { request: decided, journal };
}

/** Marks the vault key a protector is about to lose, so the destroy's outcome is recorded on its row. */
export function destroying(protector: Protector): { destroyKeyId?: string } {
  return protector.vaultKeyId ? { destroyKeyId: protector.vaultKeyId } : {};
}
