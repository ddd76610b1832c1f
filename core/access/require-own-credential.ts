import { DomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';

/**
 * Refuses an actor the operator impersonates (`--as`) unless local-development impersonation is on (I6):
 * an admin's decision must come from that admin's own credential.
 */
export function requireOwnCredential(actor: Actor, devImpersonation: boolean | undefined): void {
  if (!actor.impersonatedBy || devImpersonation === true) return;
  throw new DomainError(
    'operator_cannot_act_as_admin',
    `The operator cannot act as ${actor.admin.email}: decisions, locks, key operations and roster or settings changes need the admin's own credential. ` +
      `${actor.admin.email} can act in chat (Slack "/dualkey …", Teams), in the web console, or with their own CLI token: ` +
      'create one with the "cli-token" chat command or in the console (CLI tokens), save it to a file, then run "dualkey --token-file <file> …". ' +
      '(--as works only with DUALKEY_DEV_IMPERSONATION=true, for local development.)',
    { email: actor.admin.email },
  );
}
