import type { Admin } from '../model/admin.js';
import { approvalsRequiredOf, type Request } from '../model/request.js';
import type { ApprovalProgress } from '../model/request-approval.js';
import type { Store } from '../ports/store.js';

/** Where a pending k-of-n request stands, for listings: its recorded approvals by admins still on the roster; undefined when it needs one approver or is closed. */
export async function approvalProgressOf(store: Store, request: Request, roster: readonly Admin[]): Promise<ApprovalProgress | undefined> {
  const required = approvalsRequiredOf(request);
  if (required <= 1 || request.state !== 'pending') return undefined;
  const byId = new Map(roster.map((a) => [a.id, a]));
  const approvers = (await store.requestApprovals.list(request.id)).flatMap((a) => {
    const who = byId.get(a.adminId);
    return who ? [{ adminId: who.id, email: who.email, name: who.name, at: a.at }] : [];
  });
  return { required, approvers };
}
