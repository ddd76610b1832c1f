import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import type { PasskeyRepo, WebAuthnChallengeRepo } from '../../core/ports/passkey-store.js';
import type { Drizzle } from '../database.js';
import { passkeys, webauthnChallenges } from '../schema/index.js';

/** Passkeys over drizzle: revoked by compare-and-swap. */
export function passkeyRepo(tx: Drizzle): PasskeyRepo {
  return {
    async insert(passkey) {
      await tx.insert(passkeys).values(passkey);
    },
    async byId(id) {
      const [row] = await tx.select().from(passkeys).where(eq(passkeys.id, id));
      return row ?? null;
    },
    async byCredentialId(credentialId) {
      const [row] = await tx.select().from(passkeys).where(eq(passkeys.credentialId, credentialId));
      return row ?? null;
    },
    async list(adminId) {
      return tx.select().from(passkeys).where(eq(passkeys.adminId, adminId)).orderBy(desc(passkeys.createdAt), passkeys.id);
    },
    async rename(id, name) {
      await tx.update(passkeys).set({ name }).where(eq(passkeys.id, id));
    },
    async revoke(id, at) {
      const rows = await tx.update(passkeys).set({ revokedAt: at }).where(and(eq(passkeys.id, id), isNull(passkeys.revokedAt))).returning({ id: passkeys.id });
      return rows.length > 0;
    },
    async revokeAllOf(adminId, at) {
      const rows = await tx.update(passkeys).set({ revokedAt: at }).where(and(eq(passkeys.adminId, adminId), isNull(passkeys.revokedAt))).returning({ id: passkeys.id });
      return rows.length;
    },
    async touch(id, counter, at) {
      await tx.update(passkeys).set({ counter, lastUsedAt: at }).where(eq(passkeys.id, id));
    },
  };
}

/** WebAuthn challenges over drizzle: used once by compare-and-swap. */
export function webauthnChallengeRepo(tx: Drizzle): WebAuthnChallengeRepo {
  return {
    async insert(challenge) {
      await tx.insert(webauthnChallenges).values(challenge);
    },
    async byChallenge(challenge) {
      const [row] = await tx.select().from(webauthnChallenges).where(eq(webauthnChallenges.challenge, challenge));
      return row ?? null;
    },
    async use(id, at) {
      const rows = await tx.update(webauthnChallenges).set({ usedAt: at }).where(and(eq(webauthnChallenges.id, id), isNull(webauthnChallenges.usedAt))).returning({ id: webauthnChallenges.id });
      return rows.length > 0;
    },
    async deleteExpired(before) {
      const rows = await tx.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, before)).returning({ id: webauthnChallenges.id });
      return rows.length;
    },
  };
}
