import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import type { Store } from '../ports/store.js';
import type { WebAuthnVerifier } from '../ports/webauthn.js';
import { takeChallenge } from '../passkeys/webauthn-challenges.js';

/**
 * Verifies a step-up assertion for one purpose and returns the actor carrying the proof. The challenge must be
 * this admin's, for this purpose, unused and unexpired, and is used up first (a replay is refused as one);
 * `afterTake` then judges the target (still pending, still locked). The passkey must be the admin's own and
 * live, and the assertion must verify with user verification; its counter is stored. Refusals: `step_up_invalid`.
 */
export async function verifyStepUpAssertion(deps: EngineDeps, webauthn: WebAuthnVerifier, actor: Actor, purpose: (store: Store) => Promise<string>, response: unknown, afterTake: (store: Store) => Promise<void>, details: Record<string, string>): Promise<Actor> {
  const invalid = (message: string, why: string): never => {
    throw new DomainError('step_up_invalid', message, { ...details, reason: why });
  };
  const claimed = webauthn.claimsOf(response);
  if (!claimed) return invalid('No passkey response came with this step. Confirm it with your passkey on the page.', 'malformed');
  const passkey = await deps.uow.run(async (store) => {
    await takeChallenge(store, deps.clock.now(), claimed.challenge, actor.admin, await purpose(store), 'step_up_invalid');
    await afterTake(store);
    return store.passkeys.byCredentialId(claimed.credentialId);
  });
  if (!passkey || passkey.adminId !== actor.admin.id || passkey.revokedAt) return invalid('This passkey is not one of your registered, unrevoked passkeys.', 'unknown_passkey');
  const verified = await webauthn.verifyAuthentication(response, claimed.challenge, passkey);
  if (!verified) return invalid('The passkey response did not verify (wrong site, wrong key, or a cloned authenticator). Try again.', 'not_verified');
  if (!verified.userVerified) return invalid('The authenticator did not verify you (PIN or biometric); this step needs it.', 'no_user_verification');
  await deps.uow.run((store) => store.passkeys.touch(passkey.id, verified.newCounter, deps.clock.now()));
  return { ...actor, stepUp: { credentialId: passkey.credentialId } };
}
