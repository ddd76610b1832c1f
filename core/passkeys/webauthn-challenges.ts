import type { EngineDeps } from '../engine-deps.js';
import { DomainError, type ErrorCode } from '../errors.js';
import { newId } from '../ids.js';
import type { Admin } from '../model/admin.js';
import type { WebAuthnChallenge } from '../model/passkey.js';
import type { Store } from '../ports/store.js';

/** How long a registration challenge lives (the admin names the passkey, then touches the authenticator). */
export const REGISTRATION_CHALLENGE_MS = 5 * 60_000;
/** How long a step-up challenge lives: short, it is asked for at the moment of the decision. */
export const STEP_UP_CHALLENGE_MS = 2 * 60_000;

/** Writes a new single-use challenge (256 random bits from the injected Random) for one admin and purpose. */
export async function issueChallenge(store: Store, deps: Pick<EngineDeps, 'clock' | 'random'>, admin: Admin, purpose: string, ttlMs: number): Promise<WebAuthnChallenge> {
  const now = deps.clock.now();
  const row: WebAuthnChallenge = {
    id: newId(deps.random), tenantId: admin.tenantId, adminId: admin.id, challenge: deps.random.bytes(32).toString('base64url'),
    purpose, createdAt: now, expiresAt: new Date(now.getTime() + ttlMs), usedAt: null,
  };
  // Expired challenges are useless: each new one sweeps them, so the table stays small without a job.
  await store.webauthnChallenges.deleteExpired(new Date(now.getTime() - 60 * 60_000));
  await store.webauthnChallenges.insert(row);
  return row;
}

/**
 * Uses a challenge once: it must exist, belong to this admin, serve this purpose, be unexpired and unused.
 * It is consumed before the response is verified, so a response is never accepted twice, even when its check fails.
 */
export async function takeChallenge(store: Store, now: Date, challenge: string, admin: Admin, purpose: string, code: ErrorCode): Promise<WebAuthnChallenge> {
  const row = await store.webauthnChallenges.byChallenge(challenge);
  const refuse = (why: string, reason: string): never => {
    throw new DomainError(code, why, { reason });
  };
  if (!row || row.adminId !== admin.id) return refuse('This passkey response does not answer a challenge dualkey issued to you. Start again from the page.', 'unknown_challenge');
  if (row.purpose !== purpose) return refuse('This passkey response was made for another request or decision. Confirm again on this page.', 'other_purpose');
  if (row.usedAt) return refuse('This passkey response was used already. Confirm again on the page.', 'replayed');
  if (now.getTime() >= row.expiresAt.getTime()) return refuse('This passkey challenge expired. Start again from the page.', 'expired');
  if (!(await store.webauthnChallenges.use(row.id, now))) return refuse('This passkey response was used already. Confirm again on the page.', 'replayed');
  return row;
}
