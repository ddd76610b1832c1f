import { fanOutDecision } from '../alerts/fan-out-alert.js';
import { requestDecided } from '../alerts/alert-messages.js';
import { appendAudit, systemAuditActor } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import type { JournalEntry } from '../model/journal-entry.js';
import type { Request } from '../model/request.js';
import { closeKeyChange } from './close-key-change.js';
import { completeDestroy } from './complete-destroy.js';

/**
 * Applies every deadline that has passed: unreviewed key changes follow the policy bound when they opened
 * (`rollback` → expired_rolled_back, `keep` → expired_kept); unapproved locks and admin changes expire.
 * Each request is claimed with a row lock that other replicas skip, and decided by compare-and-swap.
 */
export async function sweepDeadlines(deps: EngineDeps): Promise<Request[]> {
  const decided: Request[] = [];
  for (;;) {
    const step = await deps.uow.run(async (store): Promise<{ request: Request; journal: JournalEntry | null } | null> => {
      const now = deps.clock.now();
      const [due] = await store.requests.claimDue(now, 1);
      if (!due) return null;
      if (due.type === 'key_change') {
        // The policy in force when the change opened binds it; a row without one falls back to the tenant's.
        const policy = due.settings?.unreviewedChangePolicy ?? (await store.tenants.byId(due.tenantId))?.settings.unreviewedChangePolicy;
        const outcome = policy === 'keep' ? 'expired_kept' : 'expired_rolled_back';
        return closeKeyChange(store, deps, due, outcome, null, 'review deadline passed');
      }
      const expired = await store.requests.decide(due.id, 'expired', null, now, 'deadline passed');
      if (!expired) return null;
      const instance = due.instanceId ? await store.instances.byId(due.instanceId) : null;
      await appendAudit(store, {
        at: now, tenantId: due.tenantId, actor: systemAuditActor('scheduler'), transport: 'system', action: 'expire',
        instanceName: instance?.name ?? null, requestId: due.id, result: 'ok', code: null, details: { outcome: 'expired', type: due.type },
      });
      await fanOutDecision(store, deps, now, due.tenantId, requestDecided(expired, instance?.name ?? null, null));
      return { request: expired, journal: null };
    });
    if (!step) break;
    decided.push(step.request);
    await deps.steps.reached(`${step.request.state}:committed`);
    if (step.journal) await completeDestroy(deps, step.journal);
  }
  if (decided.length > 0) deps.logger.info('sweep applied deadlines', { count: decided.length });
  return decided;
}
