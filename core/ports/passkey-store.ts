import type { Passkey, WebAuthnChallenge } from '../model/passkey.js';

/** Admins' passkeys. */
export interface PasskeyRepo {
  insert(passkey: Passkey): Promise<void>;
  byId(id: string): Promise<Passkey | null>;
  byCredentialId(credentialId: string): Promise<Passkey | null>;
  /** One admin's passkeys, newest first, revoked ones included. */
  list(adminId: string): Promise<Passkey[]>;
  rename(id: string, name: string): Promise<void>;
  /** Revokes (compare-and-swap on not revoked); false when it was revoked already. */
  revoke(id: string, at: Date): Promise<boolean>;
  /** Revokes every live passkey of an admin (admin removed); returns how many. */
  revokeAllOf(adminId: string, at: Date): Promise<number>;
  /** Records a use: the new signature counter and the time. */
  touch(id: string, counter: number, at: Date): Promise<void>;
}

/** WebAuthn challenges. */
export interface WebAuthnChallengeRepo {
  insert(challenge: WebAuthnChallenge): Promise<void>;
  byChallenge(challenge: string): Promise<WebAuthnChallenge | null>;
  /** Marks it used (compare-and-swap on never used); false when it was used already. */
  use(id: string, at: Date): Promise<boolean>;
  /** Deletes challenges that expired before `before` (housekeeping); returns how many. */
  deleteExpired(before: Date): Promise<number>;
}
