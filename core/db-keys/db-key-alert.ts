import { formatUtc } from '../alerts/alert-messages.js';
import type { AlertMessage } from '../model/outbox-message.js';

/** The alert every admin gets when an instance's database keys are created or rotated (never the key itself). */
export function dbKeysChanged(instanceName: string, operation: 'init' | 'rotate', keys: Array<{ keyId: number; version: number }>, at: Date): AlertMessage {
  const list = keys.map((k) => `id ${k.keyId} v${k.version}`).join(', ');
  const what = operation === 'init' ? 'Database keys created' : 'Database key rotated';
  return {
    event: operation === 'init' ? 'db_keys_created' : 'db_key_rotated',
    title: `${what} on ${instanceName}: ${list}`,
    facts: [
      ['Instance', instanceName],
      ['Operation', operation === 'init' ? 'database encryption keys created (version 1)' : 'a new version for new page writes; every older version stays fetchable'],
      ['Keys', list],
      ['At', formatUtc(at)],
    ],
    actions: [],
    status: null,
    requestId: null,
    instanceName,
  };
}
