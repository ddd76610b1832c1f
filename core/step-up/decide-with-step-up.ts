import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import type { Request } from '../model/request.js';
import type { WebAuthnOptionsJson, WebAuthnVerifier } from '../ports/webauthn.js';
import type { Store } from '../ports/store.js';
import { audited } from '../lifecycle/audited.js';
import { decideRequest, type Decision } from '../lifecycle/decide-request.js';
import { STEP_UP_CHALLENGE_MS, issueChallenge } from '../passkeys/webauthn-challenges.js';
import { verifyStepUpAssertion } from './verify-assertion.js';
import { stepUpPurpose } from './step-up-policy.js';

async function pendingRequest(store: Store, actor: Actor, requestId: string): Promise<Request> {
  const r = await store.requests.byId(requestId);
  if (!r || r.tenantId !== actor.admin.tenantId) throw new DomainError('request_not_found', `There is no request ${requestId}. Run "pending" to list open requests.`, { request: requestId });
  if (r.state !== 'pending') throw new DomainError('request_closed', `${r.id} is already ${r.state.replace(/_/g, ' ')}. Nothing to do.`, { request: r.id, state: r.state });
  return r;
}

/**
 * Starts a step-up: a challenge bound to this admin, this request, this decision and the request's deadline
 * (two minutes, single use), and the options asking the admin's own passkeys for a user-verified assertion.
 */
export async function beginStepUp(deps: EngineDeps, webauthn: WebAuthnVerifier, actor: Actor, requestId: string, decision: Decision): Promise<WebAuthnOptionsJson> {
  return audited(deps, { action: decision, actor, tenantId: actor.admin.tenantId, requestId }, async () => {
    const { challenge, allow } = await deps.uow.run(async (store) => {
      const r = await pendingRequest(store, actor, requestId);
      const allow = (await store.passkeys.list(actor.admin.id)).filter((p) => !p.revokedAt);
      if (allow.length === 0) {
        throw new DomainError('step_up_required', 'This decision needs a passkey and you have none: register one in the console (Passkeys) first. Another admin is alerted when you do.', { request: r.id, decision, reason: 'no_passkey' });
      }
      return { challenge: await issueChallenge(store, deps, actor.admin, stepUpPurpose(r.id, decision, r.deadline), STEP_UP_CHALLENGE_MS), allow };
    });
    return webauthn.authenticationOptions({ challenge: challenge.challenge, allow });
  });
}

/**
 * Decides a request with a passkey assertion: the challenge must be this admin's, for this request, decision and
 * deadline, unused and unexpired (it is used up first); the assertion must come from one of the admin's live
 * passkeys and verify with user verification. Then the decision runs as usual, its audit entry naming the credential.
 */
export async function decideWithStepUp(deps: EngineDeps, webauthn: WebAuthnVerifier, actor: Actor, requestId: string, decision: Decision, reason: string | null, response: unknown): Promise<Request> {
  const proven = await audited(deps, { action: decision, actor, tenantId: actor.admin.tenantId, requestId }, () => {
    const purpose = async (store: Store) => {
      const request = await store.requests.byId(requestId);
      if (!request || request.tenantId !== actor.admin.tenantId) throw new DomainError('request_not_found', `There is no request ${requestId}. Run "pending" to list open requests.`, { request: requestId });
      return stepUpPurpose(request.id, decision, request.deadline);
    };
    // The challenge is used up before the request's state is judged: a replay is refused as one, even once the request closed.
    return verifyStepUpAssertion(deps, webauthn, actor, purpose, response, async (store) => void (await pendingRequest(store, actor, requestId)), { request: requestId, decision });
  });
  return decideRequest(deps, proven, requestId, decision, reason);
}
