import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { Actor } from '../model/actor.js';
import type { Instance } from '../model/instance.js';
import type { Store } from '../ports/store.js';
import type { WebAuthnOptionsJson, WebAuthnVerifier } from '../ports/webauthn.js';
import { audited } from '../lifecycle/audited.js';
import { loadInstance } from '../lifecycle/load-instance.js';
import { unlockInstance } from '../lifecycle/unlock-instance.js';
import type { KeyFileUpload } from '../lifecycle/uploaded-key.js';
import { issueChallenge } from '../passkeys/webauthn-challenges.js';
import { stepUpOperations, unlockPurpose } from './step-up-policy.js';
import { verifyStepUpAssertion } from './verify-assertion.js';

/** An unlock's challenge lives five minutes: the admin also picks the key file and types its password. */
export const UNLOCK_CHALLENGE_MS = 5 * 60_000;

async function lockedInstance(store: Store, actor: Actor, instanceName: string): Promise<{ instance: Instance; required: boolean }> {
  const c = await loadInstance(store, actor.admin.tenantId, instanceName);
  if (c.instance.state !== 'locked') throw new DomainError('instance_not_active', `${instanceName} is ${c.instance.state}, not locked; there is nothing to unlock.`, { instance: instanceName, state: c.instance.state });
  return { instance: c.instance, required: stepUpOperations(c.tenant.settings).includes('unlock') };
}

/**
 * The passkey options of an unlock page when the tenant requires step-up for unlock (null when it does not):
 * a challenge bound to this admin and this instance's locked generation, single use, five minutes.
 */
export async function beginUnlockStepUp(deps: EngineDeps, webauthn: WebAuthnVerifier, actor: Actor, instanceName: string): Promise<WebAuthnOptionsJson | null> {
  const started = await deps.uow.run(async (store) => {
    const { instance, required } = await lockedInstance(store, actor, instanceName);
    if (!required) return null;
    const allow = (await store.passkeys.list(actor.admin.id)).filter((p) => !p.revokedAt);
    if (allow.length === 0) return { allow, challenge: null };
    return { allow, challenge: await issueChallenge(store, deps, actor.admin, unlockPurpose(instance.id, instance.generation), UNLOCK_CHALLENGE_MS) };
  });
  if (!started) return null;
  if (!started.challenge) throw new DomainError('step_up_required', `Unlocking ${instanceName} needs a passkey and you have none: register one in the console (Passkeys) first.`, { instance: instanceName, reason: 'no_passkey' });
  return webauthn.authenticationOptions({ challenge: started.challenge.challenge, allow: started.allow });
}

/** Unlocks with a passkey assertion for this instance's locked generation (then exactly as `unlock`; the audit names the credential). */
export async function unlockWithStepUp(deps: EngineDeps, webauthn: WebAuthnVerifier, actor: Actor, instanceName: string, upload: KeyFileUpload, response: unknown): Promise<Instance> {
  const proven = await audited(deps, { action: 'unlock', actor, tenantId: actor.admin.tenantId, instanceName }, () =>
    verifyStepUpAssertion(deps, webauthn, actor, async (store) => {
      const { instance } = await lockedInstance(store, actor, instanceName);
      return unlockPurpose(instance.id, instance.generation);
    }, response, async () => undefined, { instance: instanceName }),
  );
  return unlockInstance(deps, proven, instanceName, upload);
}
