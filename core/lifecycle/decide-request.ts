import { fanOutDecision } from '../alerts/fan-out-alert.js';
import { requestDecided } from '../alerts/alert-messages.js';
import { appendAudit, auditActorOf } from '../audit/append-audit.js';
import { requireInstanceAdmin, requireSecondAdmin } from '../access/authorize.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import type { Admin } from '../model/admin.js';
import type { Request } from '../model/request.js';
import { requireGlobalAdmin } from '../access/require-global-admin.js';
import { applyAdminChange } from '../roster/apply-admin-change.js';
import { applySettingsChange } from '../settings/apply-settings-change.js';
import { approveLock } from './approve-lock.js';
import { audited, type AuditedCommand } from './audited.js';
import { closeKeyChange } from './close-key-change.js';
import { completeDestroy } from './complete-destroy.js';
import { recordApproval } from './record-approval.js';
import { requireDecidersCurrent } from './require-deciders-current.js';
import { stepUpDetails, stepUpOperationOf, stepUpRequired } from '../step-up/step-up-policy.js';

/** What an admin can do with a pending request. */
export type Decision = 'approve' | 'rollback' | 'reject';

const ALLOWED: Record<Request['type'], Decision[]> = { key_change: ['approve', 'rollback'], lock: ['approve', 'reject'], admin_change: ['approve', 'reject'], settings_change: ['approve', 'reject'] };

/** approve / rollback / reject (DESIGN §4); each request is decided exactly once (I5). */
export async function decideRequest(deps: EngineDeps, actor: Actor, requestId: string, decision: Decision, reason: string | null = null): Promise<Request> {
  // The instance is known only once the request is read; a refusal after that is audited under it.
  const cmd: AuditedCommand = { action: decision, actor, tenantId: actor.admin.tenantId, requestId, instanceName: null };
  return audited(deps, cmd, async () => {
    const { request, instanceName, stepUp } = await deps.uow.run(async (store) => {
      const r = await store.requests.byId(requestId);
      if (!r || r.tenantId !== actor.admin.tenantId) {
        throw new DomainError('request_not_found', `There is no request ${requestId}. Run "pending" to list open requests.`, { request: requestId });
      }
      const instance = r.instanceId ? await store.instances.byId(r.instanceId) : null;
      cmd.instanceName = instance?.name ?? null;
      if (instance) requireInstanceAdmin(actor.admin, instance);
      // Roster and settings changes are decided by global admins only.
      if (r.type === 'admin_change' || r.type === 'settings_change') requireGlobalAdmin(actor.admin);
      const tenant = await store.tenants.byId(r.tenantId);
      return { request: r, instanceName: instance?.name ?? null, stepUp: tenant ? stepUpRequired(tenant.settings, r.type, decision) : false };
    });
    if (request.state !== 'pending') {
      throw new DomainError('request_closed', `${request.id} is already ${request.state.replace(/_/g, ' ')}${request.decidedAt ? ` (${request.decidedAt.toISOString()})` : ''}. Nothing to do.`, { request: request.id, state: request.state });
    }
    if (!ALLOWED[request.type].includes(decision)) {
      throw new DomainError('request_type_mismatch', `A ${request.type.replace('_', ' ')} request can be ${ALLOWED[request.type].join(' or ')}d, not ${decision}.`, { request: request.id });
    }
    if (deps.clock.now().getTime() >= request.deadline.getTime()) {
      throw new DomainError('request_expired', `${request.id} passed its deadline (${request.deadline.toISOString()}); the scheduler applies the unreviewed-change policy.`, { request: request.id });
    }
    if (decision === 'approve') requireSecondAdmin(actor.admin, request);
    if (stepUp && !actor.stepUp) {
      throw new DomainError('step_up_required', `${request.id}: this tenant requires a passkey for this decision (${stepUpOperationOf(request.type, decision)}). Decide it in the web console, where your passkey confirms it.`, { request: request.id, decision });
    }

    // k-of-n: an approval short of the count is recorded and the request stays pending; the one reaching it decides below.
    let earlier: Admin[] = [];
    if (decision === 'approve') {
      const step = await recordApproval(deps, actor, request, instanceName);
      if (!step.final) return step.request;
      earlier = step.earlier;
      // Between counting and deciding (two transactions): the decision re-checks that every counted approver is still an admin.
      await deps.steps.reached('approval:counted');
    }
    // The answer names the earlier approvers too, so a transport can show the decision as every copy does.
    const withEarlier = (r: Request): Request => (earlier.length > 0 ? { ...r, approvedWith: earlier.map((a) => a.email) } : r);
    if (request.type === 'lock' && decision === 'approve') return withEarlier(await approveLock(deps, actor, request, reason, earlier));
    if (request.type === 'key_change') {
      const outcome = decision === 'approve' ? 'approved' : 'rolled_back';
      const result = await deps.uow.run((store) => closeKeyChange(store, deps, request, outcome, actor, reason, earlier));
      await deps.steps.reached(`${outcome}:committed`);
      if (result.journal) await completeDestroy(deps, result.journal);
      return withEarlier(result.request);
    }
    if (request.type === 'admin_change' && decision === 'approve') return withEarlier(await applyAdminChange(deps, actor, request, reason, earlier));
    if (request.type === 'settings_change' && decision === 'approve') return applySettingsChange(deps, actor, request, reason);
    return deps.uow.run(async (store) => {
      const now = deps.clock.now();
      const decided = await store.requests.decide(request.id, 'rejected', actor.admin.id, now, reason);
      if (!decided) throw new DomainError('request_closed', `${request.id} was already decided.`, { request: request.id });
      await requireDecidersCurrent(store, request, actor.admin, [], instanceName);
      await appendAudit(store, {
        at: now, tenantId: request.tenantId, actor: auditActorOf(actor), transport: actor.transport, action: 'reject',
        instanceName, requestId: request.id, result: 'ok', code: null, details: { outcome: 'rejected', ...stepUpDetails(actor) },
      });
      await fanOutDecision(store, deps, now, request.tenantId, requestDecided(decided, instanceName, actor.admin));
      return decided;
    });
  });
}
