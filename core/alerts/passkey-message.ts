import type { Admin } from '../model/admin.js';
import type { AlertMessage } from '../model/outbox-message.js';
import type { Passkey } from '../model/passkey.js';
import { formatUtc } from './alert-messages.js';

/** The alert every admin gets when an admin registers a passkey (or a further one) or one is revoked: whoever holds a session could add one. */
export function passkeyAlert(kind: 'registered' | 'revoked', passkey: Passkey, owner: Admin, by: Admin, first: boolean, at: Date): AlertMessage {
  const what = kind === 'registered' ? (first ? 'registered their first passkey' : 'registered another passkey') : 'had a passkey revoked';
  return {
    event: `passkey_${kind}`,
    title: `${owner.email} ${what}: "${passkey.name}"`,
    facts: [
      ['Admin', `${owner.name} <${owner.email}>`],
      ['Passkey', `${passkey.name} (${passkey.credentialId.slice(0, 16)}…)`],
      ['By', `${by.name} <${by.email}> in the web console`],
      ['At', formatUtc(at)],
      kind === 'registered'
        ? ['If this was not them', 'a passkey confirms decisions where step-up is on: ask them, and have it revoked (console → Passkeys) or the admin removed']
        : ['Effect', 'this passkey no longer confirms anything'],
    ],
    actions: [],
    status: kind,
    requestId: null,
    instanceName: null,
  };
}
