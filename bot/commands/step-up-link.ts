import type { Engine } from '../../core/engine.js';
import { isDomainError, type DomainError } from '../../core/errors.js';
import type { Actor } from '../../core/model/actor.js';

const REQUEST = /^r-[a-z0-9]{1,32}$/;

/** A `step_up_required` refusal on a request: the decision must be made in the console with a passkey. */
export function isStepUpRefusal(e: unknown): e is DomainError {
  return isDomainError(e) && e.code === 'step_up_required' && typeof e.details.request === 'string' && REQUEST.test(e.details.request);
}

/**
 * The one-time console link a transport answers `step_up_required` with: a sign-in link for this admin (single
 * use, ten minutes) that opens the request's decision page, where the passkey confirms. Signing in is not
 * deciding: the passkey is still asked for. None for an operator-impersonated actor (it is not the admin).
 */
export async function stepUpLink(engine: Engine, actor: Actor, e: DomainError, publicUrl: string): Promise<{ url: string; label: string; expiresAt: Date } | null> {
  if (actor.impersonatedBy) return null;
  const { token, expiresAt } = await engine.issueSignInLink(actor.admin, actor.transport);
  const next = `/console/requests/${String(e.details.request)}`;
  return { url: `${publicUrl.replace(/\/$/, '')}/console/sign-in/${token}?next=${encodeURIComponent(next)}`, label: 'Decide in the console with your passkey', expiresAt };
}
