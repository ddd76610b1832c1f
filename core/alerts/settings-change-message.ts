import type { Admin } from '../model/admin.js';
import type { AlertMessage } from '../model/outbox-message.js';
import type { Request } from '../model/request.js';
import { formatUtc } from './alert-messages.js';

/** The alert every admin gets when a global admin proposes a settings change that weakens protection. */
export function settingsChangeRequested(request: Request, summary: string, requester: Admin): AlertMessage {
  return {
    event: 'settings_change_requested',
    title: `Settings change requested by ${requester.email}: ${summary} — approve by ${formatUtc(request.deadline)}`,
    facts: [
      ['Change', summary],
      ['Why it needs approval', 'it weakens the protection of every instance of the tenant'],
      ['Applies to', 'requests opened after approval; requests already open keep the settings they opened under'],
      ['Requested by', `${requester.name} <${requester.email}>`],
      ['Deadline', formatUtc(request.deadline)],
      ['Request', request.id],
    ],
    actions: [
      { id: 'approve', label: 'Approve', style: 'danger', requestId: request.id, confirm: `Weaken the tenant's protection: ${summary}?` },
      { id: 'reject', label: 'Reject', style: 'primary', requestId: request.id, confirm: null },
    ],
    status: null,
    requestId: request.id,
    instanceName: null,
  };
}

/** The alert every admin gets when settings change at once (strengthening or neutral, or before the tenant has two global admins). */
export function settingsChanged(summary: string, by: string, at: Date): AlertMessage {
  return {
    event: 'settings_changed',
    title: `Settings changed by ${by}: ${summary}`,
    facts: [
      ['Change', summary],
      ['Changed by', by],
      ['At', formatUtc(at)],
      ['Applies to', 'requests opened from now on; requests already open keep the settings they opened under'],
    ],
    actions: [],
    status: 'applied',
    requestId: null,
    instanceName: null,
  };
}
