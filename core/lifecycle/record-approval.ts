import { fanOutDecision } from '../alerts/fan-out-alert.js';
import { approvalRecorded } from '../alerts/approval-message.js';
import { appendAudit, auditActorOf } from '../audit/append-audit.js';
import { administers } from '../access/authorize.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import type { Admin } from '../model/admin.js';
import type { AlertMessage } from '../model/outbox-message.js';
import { approvalsRequiredOf, type Request } from '../model/request.js';
import { approvalCount, type ApprovalProgress } from '../model/request-approval.js';
import type { Store } from '../ports/store.js';
import { stepUpDetails } from '../step-up/step-up-policy.js';

/** What an eligible approval of a k-of-n request does: reach the count (the caller decides it), or stay recorded. */
export type ApprovalStep = { final: true; earlier: Admin[] } | { final: false; request: Request };

/** The alert every copy started from: the first copy with buttons that is neither a reminder nor an earlier count. */
async function originalAlert(store: Store, request: Request): Promise<AlertMessage | null> {
  const rows = await store.outbox.forRequestAll(request.id);
  const first = rows.find((r) => r.message.actions.length > 0 && r.message.event !== 'reminder' && r.message.event !== 'approval_recorded');
  return first?.message ?? (await store.inbox.firstForRequest(request.id, request.requestedBy))?.message ?? null;
}

/**
 * One eligible approval of a request that needs more than one approver (DESIGN §4, k-of-n). Under the request's
 * row lock, so approvals are counted one at a time: the earlier approvals of admins who still may decide it
 * count, this admin's a second time does not (`approval_already_recorded`). Short of the count the approval is
 * recorded, audited and shown on every copy of the alert ("1 of 2 approvals: Bob") and the request stays pending;
 * the approval that reaches the count records nothing here and returns the earlier approvers, and the caller's
 * final approval — a compare-and-swap from pending like every decision — decides it exactly once (I5).
 */
export async function recordApproval(deps: EngineDeps, actor: Actor, request: Request, instanceName: string | null): Promise<ApprovalStep> {
  const required = approvalsRequiredOf(request);
  if (required <= 1) return { final: true, earlier: [] };
  return deps.uow.run(async (store) => {
    const locked = await store.requests.lockById(request.id);
    if (!locked || locked.state !== 'pending') {
      throw new DomainError('request_closed', `${request.id} was already decided. Run "pending" to see what is open.`, { request: request.id });
    }
    const roster = new Map((await store.admins.list(request.tenantId)).map((a) => [a.id, a]));
    const approvals = await store.requestApprovals.list(request.id);
    // An approver removed from the roster, or from the instance, since approving no longer counts.
    const earlier = approvals
      .map((a) => ({ approval: a, admin: roster.get(a.adminId) }))
      .filter((e): e is { approval: typeof e.approval; admin: Admin } => Boolean(e.admin) && (!instanceName || administers(e.admin!, instanceName)));
    const progressOf = (list: typeof earlier): ApprovalProgress => ({ required, approvers: list.map((e) => ({ adminId: e.admin.id, email: e.admin.email, name: e.admin.name, at: e.approval.at })) });
    if (earlier.some((e) => e.admin.id === actor.admin.id)) {
      const progress = progressOf(earlier);
      throw new DomainError(
        'approval_already_recorded',
        `You already approved ${request.id}; it has ${approvalCount(progress)} and needs ${required - earlier.length} more from other administrators. Your approval counts once.`,
        { request: request.id, approvals: earlier.length, required },
      );
    }
    if (earlier.length + 1 >= required) return { final: true, earlier: earlier.map((e) => e.admin) };

    const now = deps.clock.now();
    await store.requestApprovals.record({ requestId: request.id, adminId: actor.admin.id, at: now, transport: actor.transport });
    const progress = progressOf([...earlier, { approval: { requestId: request.id, adminId: actor.admin.id, at: now, transport: actor.transport }, admin: actor.admin }]);
    await appendAudit(store, {
      at: now, tenantId: request.tenantId, actor: auditActorOf(actor), transport: actor.transport, action: 'approve', instanceName, requestId: request.id,
      result: 'ok', code: null, details: { outcome: 'approval_recorded', approvals: progress.approvers.length, required, ...stepUpDetails(actor) },
    });
    const original = await originalAlert(store, locked);
    if (original) await fanOutDecision(store, deps, now, request.tenantId, approvalRecorded(original, progress), { keepOpen: true });
    return { final: false, request: { ...locked, progress } };
  });
}
