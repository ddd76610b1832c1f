import type { AlertMessage } from '../model/outbox-message.js';
import type { Request } from '../model/request.js';
import { formatUtc } from './alert-messages.js';

const WHAT: Record<Request['type'], string> = { key_change: 'Key change', lock: 'Lock request', admin_change: 'Admin change', settings_change: 'Settings change' };

/** A reminder before a pending request's deadline, carrying the original alert's facts and buttons. */
export function reminderMessage(request: Request, original: AlertMessage, hoursLeft: number): AlertMessage {
  const left = hoursLeft >= 1 ? `${hoursLeft} hour${hoursLeft === 1 ? '' : 's'}` : `${Math.round(hoursLeft * 60)} minutes`;
  return {
    ...original,
    event: 'reminder',
    title: `Reminder: ${WHAT[request.type]} ${request.id}${original.instanceName ? ` on ${original.instanceName}` : ''} awaits a decision — ${left} left (deadline ${formatUtc(request.deadline)})`,
    status: null,
  };
}
