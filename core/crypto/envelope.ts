import { constants, createCipheriv, createDecipheriv, createPublicKey, publicEncrypt } from 'node:crypto';
import type { Random } from '../ports/random.js';

/** A data encryption key: 32 random bytes (AES-256). */
export function generateDek(random: Random): Buffer {
  return random.bytes(32);
}

/** Wraps a DEK under a protector's public key (RSA-OAEP-SHA256); only the vault can unwrap it. */
export function wrapDek(dek: Buffer, protectorSpki: Buffer): Buffer {
  const key = createPublicKey({ key: protectorSpki, format: 'der', type: 'spki' });
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, dek);
}

/** The AAD of a record: binds tenant, instance, record key and DEK version, unambiguously encoded. */
export function recordAad(tenantId: string, instanceId: string, key: string, dekVersion: number): Buffer {
  return Buffer.from(JSON.stringify(['dualkey-record-v1', tenantId, instanceId, key, dekVersion]), 'utf8');
}

/** Bytes of a record's GCM nonce (96 bits, the size GCM is defined for without hashing it). */
export const GCM_NONCE_BYTES = 12;
/** Bytes of a record's GCM tag (the full 128 bits: shorter tags are easier to forge). */
export const GCM_TAG_BYTES = 16;

/** AES-256-GCM with a fresh 96-bit nonce. */
export function encryptRecord(dek: Buffer, aad: Buffer, plaintext: Buffer, random: Random): { ciphertext: Buffer; nonce: Buffer; tag: Buffer } {
  const nonce = random.bytes(GCM_NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dek, nonce);
  cipher.setAAD(aad);
  const ciphertext = cipher.update(plaintext);
  // GCM is a stream mode: final() outputs nothing (it computes the tag), so there is nothing to concatenate.
  cipher.final();
  return { ciphertext, nonce, tag: cipher.getAuthTag() };
}

/** Decrypts and authenticates a record; throws when the ciphertext, tag or AAD do not match, or a nonce or tag is not the size dualkey writes. */
export function decryptRecord(dek: Buffer, aad: Buffer, sealed: { ciphertext: Buffer; nonce: Buffer; tag: Buffer }): Buffer {
  // Every stored record has exactly these sizes (the data plane reads them back by position); OpenSSL would accept others, even a 4-byte tag.
  if (sealed.nonce.length !== GCM_NONCE_BYTES || sealed.tag.length !== GCM_TAG_BYTES) {
    throw new Error(`a record needs a ${GCM_NONCE_BYTES}-byte nonce and a ${GCM_TAG_BYTES}-byte tag, not ${sealed.nonce.length} and ${sealed.tag.length}`);
  }
  const decipher = createDecipheriv('aes-256-gcm', dek, sealed.nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  const plaintext = decipher.update(sealed.ciphertext);
  // final() checks the tag and throws on a mismatch; GCM leaves it no bytes to output.
  decipher.final();
  return plaintext;
}
