/** An admin's WebAuthn passkey: public key and signature counter only (the private key never leaves the authenticator). */
export interface Passkey {
  id: string;
  tenantId: string;
  adminId: string;
  /** base64url credential id. */
  credentialId: string;
  /** COSE public key. */
  publicKey: Buffer;
  counter: number;
  transports: string[];
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** A single-use, short-lived WebAuthn challenge bound to one admin and one purpose. */
export interface WebAuthnChallenge {
  id: string;
  tenantId: string;
  adminId: string;
  /** base64url challenge as sent to the browser. */
  challenge: string;
  /** `register`, or `decide:<request>:<decision>:<deadline ISO>` (see step-up). */
  purpose: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}
