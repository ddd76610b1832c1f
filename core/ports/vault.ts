/** What a destroy achieved: gone for good, or only soft-deleted and recoverable by the store's owner until a time. */
export type DestroyOutcome = { outcome: 'destroyed' } | { outcome: 'deleted'; recoverableUntil: Date };

/**
 * Whether a stored key can be used right now (key-access health); `cause` says why not, for admins.
 * `refused` is true when the store answered and will not use the key (disabled, expired, deleted,
 * permission revoked), false when it did not answer: only a refusal makes servers drop cached DEKs.
 */
export type KeyAccess = { usable: true } | { usable: false; cause: string; refused: boolean };

/**
 * Holds private keys; they never leave it. Every operation is idempotent on its key id, so a
 * journaled step that is retried after a crash does the same thing once.
 */
export interface Vault {
  /** Stores a private key (PKCS#8 DER) under `keyId`; a second call with the same key is a no-op. The caller zeroes the buffer. */
  importKey(keyId: string, pkcs8Der: Buffer): Promise<void>;
  /** Generates an RSA key pair for a service-managed protector; returns its public key (SPKI DER). */
  generateKey(keyId: string): Promise<Buffer>;
  /** Creates the tenant's key-exchange key (import-only); returns its public key (SPKI DER). */
  createKek(keyId: string): Promise<Buffer>;
  /**
   * Imports a BYOK key (CKM_RSA_AES_KEY_WRAP ciphertext, DESIGN §3) under `keyId`, unwrapped inside the
   * store with the KEK `kekId`; returns only the imported key's public key (SPKI DER). Throws
   * `VaultByokRejectedError` when the blob does not unwrap with that KEK or holds no usable RSA key. A store
   * that can see the unwrapped private key may refuse an unsafe RSA key before keeping it with the
   * `key_type_unsupported` / `key_too_small` DomainError of `assertSafeRsaKey`; the caller checks the
   * returned public key with the same rules anyway and destroys a refused key.
   */
  importByok(kekId: string, keyId: string, byokCiphertext: Buffer): Promise<Buffer>;
  /** RSA-OAEP-SHA256 decryption of a wrapped DEK with a protector key. */
  unwrapDek(keyId: string, wrapped: Buffer): Promise<Buffer>;
  /** The public key (SPKI DER) of a stored key, or null when absent or destroyed. */
  publicKey(keyId: string): Promise<Buffer | null>;
  /** A cheap check that a protector key is present and enabled in the store (no decryption). */
  keyAccess(keyId: string): Promise<KeyAccess>;
  /** Destroys a key and says how final that is; destroying an absent key reports `destroyed`. */
  destroy(keyId: string): Promise<DestroyOutcome>;
  /**
   * A deterministic keyed tag over `data` with the deployment's audit key, held by the key store and
   * never readable from the database; the same data gives the same tag in every process of one deployment.
   */
  auditTag(data: Buffer): Promise<Buffer>;
  /** True when the vault answers. */
  ping(): Promise<boolean>;
}

/** Thrown by a Vault when the key id names no stored key (never created, or destroyed). */
export class VaultKeyNotFoundError extends Error {
  constructor(readonly keyId: string) {
    super(`vault key ${keyId} does not exist or was destroyed`);
    this.name = 'VaultKeyNotFoundError';
  }
}

/** Thrown by `unwrapDek` when the key exists but the key store refuses to use it (disabled, expired, access revoked). */
export class VaultKeyUnusableError extends Error {
  constructor(readonly keyId: string, readonly reason: string) {
    super(`vault key ${keyId} cannot be used: ${reason}`);
    this.name = 'VaultKeyUnusableError';
  }
}

/** Thrown by `importByok` when the blob cannot be unwrapped with the KEK, or what it holds is not an RSA private key. */
export class VaultByokRejectedError extends Error {
  constructor(readonly keyId: string, reason: string) {
    super(`BYOK import of ${keyId} refused by the key store: ${reason}`);
    this.name = 'VaultByokRejectedError';
  }
}
