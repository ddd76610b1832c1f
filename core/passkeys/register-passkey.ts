import { fanOutAlert } from '../alerts/fan-out-alert.js';
import { passkeyAlert } from '../alerts/passkey-message.js';
import { appendAudit, auditActorOf } from '../audit/append-audit.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import { newId } from '../ids.js';
import type { Actor } from '../model/actor.js';
import type { Passkey } from '../model/passkey.js';
import type { WebAuthnOptionsJson, WebAuthnVerifier } from '../ports/webauthn.js';
import { audited } from '../lifecycle/audited.js';
import { REGISTRATION_CHALLENGE_MS, issueChallenge, takeChallenge } from './webauthn-challenges.js';

/** Live passkeys one admin may hold (a handful of devices; a runaway script should not add thousands). */
export const MAX_LIVE_PASSKEYS = 10;

/** Checks a passkey name: 1 to 60 printable characters, default "Passkey". */
export function cleanPasskeyName(name: string | null | undefined): string {
  const v = (name ?? '').normalize('NFKC').trim();
  if (v === '') return 'Passkey';
  if (v.length > 60 || /[\p{Cc}\p{Cf}]/u.test(v)) throw new DomainError('invalid_input', 'A passkey name is 1 to 60 printable characters, e.g. "laptop" or "security key".');
  return v;
}

/** Only the admin themselves, signed in to the console with a browser, registers a passkey (the authenticator is in their hands). */
function requireConsole(actor: Actor): void {
  if (actor.transport !== 'web') throw new DomainError('operator_cannot_act_as_admin', 'A passkey is registered by the admin themselves in the web console (Passkeys).');
}

/** Starts a registration: a challenge for this admin and the options the browser passes to the authenticator. */
export async function beginPasskeyRegistration(deps: EngineDeps, webauthn: WebAuthnVerifier, actor: Actor): Promise<WebAuthnOptionsJson> {
  return audited(deps, { action: 'passkey_register', actor, tenantId: actor.admin.tenantId }, async () => {
    requireConsole(actor);
    const { row, existing } = await deps.uow.run(async (store) => {
      const existing = (await store.passkeys.list(actor.admin.id)).filter((p) => !p.revokedAt);
      if (existing.length >= MAX_LIVE_PASSKEYS) throw new DomainError('invalid_input', `You hold ${existing.length} passkeys already; revoke one you no longer use first.`);
      return { row: await issueChallenge(store, deps, actor.admin, 'register', REGISTRATION_CHALLENGE_MS), existing };
    });
    return webauthn.registrationOptions({ challenge: row.challenge, userId: actor.admin.id, userName: actor.admin.email, displayName: actor.admin.name, exclude: existing });
  });
}

/**
 * Finishes a registration: the challenge is used once, the attestation verified (user verification required),
 * the passkey stored; every admin of the tenant is alerted, in the same transaction (I4).
 */
export async function finishPasskeyRegistration(deps: EngineDeps, webauthn: WebAuthnVerifier, actor: Actor, response: unknown, name: string | null): Promise<Passkey> {
  return audited(deps, { action: 'passkey_register', actor, tenantId: actor.admin.tenantId }, async () => {
    requireConsole(actor);
    const label = cleanPasskeyName(name);
    const claimed = webauthn.claimsOf(response);
    if (!claimed) throw new DomainError('passkey_registration_failed', 'The browser sent no passkey. Try again, and allow the browser to create the passkey.', { reason: 'malformed' });
    await deps.uow.run((store) => takeChallenge(store, deps.clock.now(), claimed.challenge, actor.admin, 'register', 'passkey_registration_failed'));
    const verified = await webauthn.verifyRegistration(response, claimed.challenge);
    if (!verified) throw new DomainError('passkey_registration_failed', 'The passkey could not be verified for this site. Try again from the Passkeys page.', { reason: 'not_verified' });
    if (!verified.userVerified) throw new DomainError('passkey_registration_failed', 'The authenticator did not verify you (PIN or biometric). Use one that does.', { reason: 'no_user_verification' });
    const now = deps.clock.now();
    const passkey: Passkey = {
      id: newId(deps.random), tenantId: actor.admin.tenantId, adminId: actor.admin.id, credentialId: verified.credentialId, publicKey: verified.publicKey,
      counter: verified.counter, transports: transportsOf(response), name: label, createdAt: now, lastUsedAt: null, revokedAt: null,
    };
    return deps.uow.run(async (store) => {
      if (await store.passkeys.byCredentialId(passkey.credentialId)) throw new DomainError('passkey_registration_failed', 'This passkey is registered already.', { reason: 'duplicate' });
      const first = (await store.passkeys.list(actor.admin.id)).every((p) => p.revokedAt);
      await store.passkeys.insert(passkey);
      await appendAudit(store, {
        at: now, tenantId: actor.admin.tenantId, actor: auditActorOf(actor), transport: actor.transport, action: 'passkey_register',
        instanceName: null, requestId: null, result: 'ok', code: null, details: { passkey: passkey.id, credentialId: passkey.credentialId, name: label, first },
      });
      // Whoever holds an admin's session could add a passkey of their own: every admin hears of each one.
      await fanOutAlert(store, deps, now, actor.admin.tenantId, passkeyAlert('registered', passkey, actor.admin, actor.admin, first, now));
      return passkey;
    });
  });
}

/** The transports the browser reported (hints only, for later allow-lists). */
function transportsOf(response: unknown): string[] {
  const t = (response as { response?: { transports?: unknown } } | null)?.response?.transports;
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string' && /^[a-z-]{1,20}$/.test(x)).slice(0, 8) : [];
}
