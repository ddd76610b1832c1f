/** Where a protector key came from. */
export type ProtectorKind = 'service' | 'generated' | 'pfx' | 'byok';

/** Protector status of DESIGN §2. */
export type ProtectorStatus = 'active' | 'previous' | 'retired' | 'destroyed';

/** An asymmetric key wrapping an instance's DEKs; the private half lives only in the vault. */
export interface Protector {
  id: string;
  instanceId: string;
  kind: ProtectorKind;
  name: string;
  fingerprint: string;
  publicKey: Buffer;
  /** Vault key id, or null once the key material has been destroyed (retired, or instance locked). */
  vaultKeyId: string | null;
  status: ProtectorStatus;
  createdAt: Date;
  /** What the key store reported when this protector's key material was last destroyed; null while it holds live material. */
  destruction?: ProtectorDestruction | null;
  /** Why the key store cannot use this protector's key right now (key-access health), or null when it can. */
  accessProblem?: string | null;
  /** True when that problem is the key store's refusal (disabled, expired, revoked), not its silence. */
  accessRefused?: boolean;
}

/** A destroy as the key store reported it: gone for good, or soft-deleted and recoverable by the store's owner until a time. */
export interface ProtectorDestruction {
  outcome: 'destroyed' | 'deleted';
  recoverableUntil: Date | null;
  at: Date;
}

/** One DEK version wrapped (RSA-OAEP-SHA256) under one protector. */
export interface WrappedDek {
  instanceId: string;
  version: number;
  protectorId: string;
  wrapped: Buffer;
}
