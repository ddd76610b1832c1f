import type { AlertMessage } from '../model/outbox-message.js';
import { approvalCount, type ApprovalProgress } from '../model/request-approval.js';
import { approvalsRequiredOf, type Request } from '../model/request.js';
import { formatUtc } from './alert-messages.js';

/** The label of the fact that says how many approvals a k-of-n request has and whose. */
export const APPROVALS_LABEL = 'Approvals';

/** "1 of 2 approvals: Bob <bob@example.com> at 2026-12-02 09:14 UTC". */
export function describeProgress(progress: ApprovalProgress): string {
  const who = progress.approvers.map((a) => `${a.name} <${a.email}> at ${formatUtc(a.at)}`).join(', ');
  return who ? `${approvalCount(progress)}: ${who}` : approvalCount(progress);
}

/**
 * What every copy of a k-of-n request's alert becomes after an approval that did not reach the count: the
 * original alert (same facts, same buttons: the request is still open) headed by the count and naming who approved.
 */
export function approvalRecorded(original: AlertMessage, progress: ApprovalProgress, title?: string): AlertMessage {
  const names = progress.approvers.map((a) => a.name).join(', ');
  const facts = original.facts.filter(([label]) => label !== APPROVALS_LABEL);
  // Just before the request id, where an admin reading the facts looks for the state of the request.
  const at = Math.max(0, facts.findIndex(([label]) => label === 'Request'));
  return {
    ...original,
    // Without a title of its own, this is the alert's update after an approval.
    ...(title === undefined ? { event: 'approval_recorded' } : {}),
    title: title ?? `${approvalCount(progress)} (${names}) — ${original.title}`,
    facts: [...facts.slice(0, at), [APPROVALS_LABEL, describeProgress(progress)], ...facts.slice(at)],
    status: null,
  };
}

/** A new request's alert, saying up front how many approvals it needs when that is more than one ("0 of 2 approvals"). */
export function withApprovalsNeeded(request: Request, alert: AlertMessage): AlertMessage {
  const required = approvalsRequiredOf(request);
  return required > 1 ? approvalRecorded(alert, { required, approvers: [] }, alert.title) : alert;
}
