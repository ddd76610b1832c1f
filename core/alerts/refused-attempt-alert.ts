import type { Actor } from '../model/actor.js';
import type { AlertMessage } from '../model/outbox-message.js';
import { formatUtc } from './alert-messages.js';

/**
 * Refusals that are attempts on the two-person rule itself, not slips: every admin hears of each one, so
 * a second person learns that someone tried to act alone (issue 8: "every attempt is audited and alerted").
 */
export const ALERTED_REFUSALS: ReadonlySet<string> = new Set(['operator_cannot_act_as_admin', 'self_approval', 'admin_too_new', 'identity_in_use', 'key_in_use']);

/**
 * Step-up refusals that are not slips either: a passkey that is not the admin's own live one (someone
 * else's authenticator, a revoked passkey), or a response that does not verify (wrong key, cloned
 * authenticator). An expired, replayed or mistargeted assertion is a slip of the page and stays audited only.
 */
const ALERTED_STEP_UP_REASONS: ReadonlySet<string> = new Set(['unknown_passkey', 'not_verified']);

/** True when a refusal is an attempt on the two-person rule, which every admin is alerted of. */
export function isAttemptOnTheRule(code: string, details: Record<string, unknown> | undefined): boolean {
  return ALERTED_REFUSALS.has(code) || (code === 'step_up_invalid' && ALERTED_STEP_UP_REASONS.has(String(details?.reason)));
}

// Audit action names that do not read as English once underscores become spaces; the rest do.
const ACTIONS: Record<string, string> = {
  rollback: 'roll back', lock_request: 'request a lock', key_new: 'generate a key', key_upload: 'upload a key', key_revert: 'revert to the service key',
};

/** The alert every admin gets when an attempt on the two-person rule was refused. */
export function refusedAttemptAlert(opts: { action: string; actor: Actor; code: string; instanceName: string | null; requestId: string | null; at: Date }): AlertMessage {
  const who = opts.actor.impersonatedBy === 'operator' ? `the operator's CLI, as ${opts.actor.admin.email}` : `${opts.actor.admin.name} <${opts.actor.admin.email}> via ${opts.actor.transport}`;
  const what = ACTIONS[opts.action] ?? opts.action.replace(/_/g, ' ');
  return {
    event: 'attempt_refused',
    title: `Refused: ${what}${opts.requestId ? ` ${opts.requestId}` : opts.instanceName ? ` on ${opts.instanceName}` : ''} by ${opts.actor.impersonatedBy === 'operator' ? 'the operator' : opts.actor.admin.email} (${opts.code})`,
    facts: [
      ['Attempted', what],
      ...(opts.instanceName ? ([['Instance', opts.instanceName]] as Array<[string, string]>) : []),
      ...(opts.requestId ? ([['Request', opts.requestId]] as Array<[string, string]>) : []),
      ['By', who],
      ['Refused with', opts.code],
      ['At', formatUtc(opts.at)],
    ],
    actions: [],
    status: 'refused',
    requestId: null,
    instanceName: opts.instanceName,
  };
}
