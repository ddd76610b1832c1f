/**
 * Holds private keys. Every operation is idempotent on its key id, so a journaled step
 * that is retried after a crash does the same thing once.
 */
export interface Vault {
  /** Stores a private key (PKCS#8 DER) under `keyId`; a second call with the same id is a no-op. */
  importKey(keyId: string, pkcs8Der: Buffer): Promise<void>;
  /** Generates an RSA key pair for a service-managed protector; returns its public key (SPKI DER). */
  generateKey(keyId: string): Promise<Buffer>;
  /** Creates the tenant's key-exchange key (import-only); returns its public key (SPKI DER). */
  createKek(keyId: string): Promise<Buffer>;
  /** RSA-OAEP (SHA-1, MGF1-SHA-1) decryption with a KEK: the first half of CKM_RSA_AES_KEY_WRAP. */
  decryptWithKek(keyId: string, ciphertext: Buffer): Promise<Buffer>;
  /** RSA-OAEP-SHA256 decryption of a wrapped DEK with a protector key. */
  unwrapDek(keyId: string, wrapped: Buffer): Promise<Buffer>;
  /** The public key (SPKI DER) of a stored key, or null when absent or destroyed. */
  publicKey(keyId: string): Promise<Buffer | null>;
  /** Crypto-shreds a key; destroying an absent key is a no-op. */
  destroy(keyId: string): Promise<void>;
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
