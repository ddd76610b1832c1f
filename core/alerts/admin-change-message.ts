import type { Admin } from '../model/admin.js';
import type { AlertMessage } from '../model/outbox-message.js';
import type { Request } from '../model/request.js';
import { describeAdminChange, identityFacts, type AdminChange } from '../roster/admin-change.js';
import { formatUtc } from './alert-messages.js';

/** The alert every admin gets when a global admin proposes a roster change. */
export function adminChangeRequested(request: Request, change: AdminChange, requester: Admin): AlertMessage {
  return {
    event: 'admin_change_requested',
    title: `Admin change requested by ${requester.email}: ${describeAdminChange(change)} — approve by ${formatUtc(request.deadline)}`,
    facts: [
      ['Change', describeAdminChange(change)],
      // Every chat identity gained or lost is spelled out: a second account of the requester must not slip in as someone else.
      ...identityFacts(change),
      ['Requested by', `${requester.name} <${requester.email}>`],
      ['Deadline', formatUtc(request.deadline)],
      ['Request', request.id],
    ],
    actions: [
      { id: 'approve', label: 'Approve', style: 'primary', requestId: request.id, confirm: `Approve: ${describeAdminChange(change)}?` },
      { id: 'reject', label: 'Reject', style: 'danger', requestId: request.id, confirm: null },
    ],
    status: null,
    requestId: request.id,
    instanceName: null,
  };
}
