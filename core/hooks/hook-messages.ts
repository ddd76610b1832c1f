import { formatUtc } from '../alerts/alert-messages.js';
import type { AlertMessage } from '../model/outbox-message.js';

/** The alert every admin gets when an instance's offline hook is set, replaced or removed (never its secret). */
export function offlineHookChanged(instanceName: string, url: string | null, by: string, at: Date): AlertMessage {
  return {
    event: url ? 'offline_hook_set' : 'offline_hook_removed',
    title: url ? `Offline hook set on ${instanceName} by ${by}` : `Offline hook removed from ${instanceName} by ${by}`,
    facts: [
      ['Instance', instanceName],
      ['Hook', url ?? 'none: a lock now refuses the database its keys at once'],
      ['Effect', url ? 'when a lock is approved the database keys are still served until the hook answers 2xx or the drain window ends' : 'no drain window on lock'],
      ['Changed by', by],
      ['At', formatUtc(at)],
    ],
    actions: [],
    status: null,
    requestId: null,
    instanceName,
  };
}
