import type { Transport } from './request.js';

/** How an admin proved who they are to the console: a one-time link today; `passkey` is the seam for WebAuthn. */
export type SignInMethod = 'link' | 'passkey';

/** A one-time console sign-in link (its token is stored only as SHA-256). */
export interface ConsoleLink {
  id: string;
  tenantId: string;
  adminId: string;
  issuedVia: Transport | 'email';
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

/** A server-side console session (the cookie value is stored only as SHA-256). */
export interface ConsoleSession {
  id: string;
  tenantId: string;
  adminId: string;
  method: SignInMethod;
  /** The synchronizer token every form of this session carries. */
  csrf: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** The absolute end (12 hours after sign-in). */
  expiresAt: Date;
  endedAt: Date | null;
}
