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

/** AES-256-GCM with a fresh 96-bit nonce. */
export function encryptRecord(dek: Buffer, aad: Buffer, plaintext: Buffer, random: Random): { ciphertext: Buffer; nonce: Buffer; tag: Buffer } {
  const nonce = random.bytes(12);
  const cipher = createCipheriv('aes-256-gcm', dek, nonce);
  cipher.setAAD(aad);
  const ciphertext = cipher.update(plaintext);
  // GCM is a stream mode: final() outputs nothing (it computes the tag), so there is nothing to concatenate.
  cipher.final();
  return { ciphertext, nonce, tag: cipher.getAuthTag() };
}

/** Decrypts and authenticates a record; throws when the ciphertext, tag or AAD do not match. */
export function decryptRecord(dek: Buffer, aad: Buffer, sealed: { ciphertext: Buffer; nonce: Buffer; tag: Buffer }): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', dek, sealed.nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  const plaintext = decipher.update(sealed.ciphertext);
  // final() checks the tag and throws on a mismatch; GCM leaves it no bytes to output.
  decipher.final();
  return plaintext;
}
