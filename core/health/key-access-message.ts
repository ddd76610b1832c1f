import { formatUtc } from '../alerts/alert-messages.js';
import type { AlertMessage } from '../model/outbox-message.js';

/** The alert every admin gets when an instance's customer key becomes unusable in the key store, or usable again. */
export function keyAccessMessage(instanceName: string, keyName: string, cause: string | null, at: Date): AlertMessage {
  const lost = cause !== null;
  return {
    event: lost ? 'key_access_lost' : 'key_access_restored',
    title: lost ? `${instanceName} cannot use its key: ${cause}` : `${instanceName} can use its key again`,
    facts: [
      ['Instance', instanceName],
      ['Key', keyName],
      ['Status', lost ? `not accessible in the key store — ${cause}. Reads of the instance fail once its keys leave the cache; restore access in the key store` : 'accessible in the key store again'],
      ['Checked at', formatUtc(at)],
    ],
    actions: [],
    status: lost ? 'key_inaccessible' : 'key_accessible',
    requestId: null,
    instanceName,
  };
}
