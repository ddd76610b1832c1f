import { createCipheriv, createDecipheriv, createPrivateKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** A private key encrypted under the master key, as stored in a key file of the local vault. */
export interface SealedPrivateKey {
  ciphertext: Buffer;
  nonce: Buffer;
  tag: Buffer;
}

const NONCE_BYTES = 12; // 96-bit nonce, the GCM standard size
const TAG_BYTES = 16;

/**
 * What a sealed key is bound to. Binding the id means a blob copied to another row fails
 * to open; binding the purpose means flipping a row's purpose (say, turning an import-only
 * KEK into a DEK-unwrapping protector) with SQL fails too.
 */
export function sealBinding(keyId: string, purpose: 'protector' | 'kek'): Buffer {
  return Buffer.from(`dualkey/vault_keys/v1\0${purpose}\0${keyId}`, 'utf8');
}

/** Encrypts a PKCS#8 DER private key with AES-256-GCM under the master key, a random nonce and `aad`. */
export function sealPrivateKey(masterKey: Buffer, aad: Buffer, pkcs8Der: Buffer): SealedPrivateKey {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(pkcs8Der), cipher.final()]);
  return { ciphertext, nonce, tag: cipher.getAuthTag() };
}

/**
 * Decrypts a sealed private key straight into a KeyObject; the plaintext DER is zeroed
 * before returning, so the key material outlives the call only inside OpenSSL.
 * Throws (without any key material in the message) when the master key is wrong or the row was tampered with.
 */
export function openPrivateKey(masterKey: Buffer, aad: Buffer, sealed: SealedPrivateKey, keyId: string): KeyObject {
  if (sealed.nonce.length !== NONCE_BYTES || sealed.tag.length !== TAG_BYTES) throw unreadable(keyId);
  const decipher = createDecipheriv('aes-256-gcm', masterKey, sealed.nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  const head = decipher.update(sealed.ciphertext);
  let tail: Buffer;
  try {
    tail = decipher.final();
  } catch {
    head.fill(0); // unauthenticated plaintext: discard it
    throw unreadable(keyId);
  }
  const der = Buffer.concat([head, tail]);
  head.fill(0);
  tail.fill(0);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

function unreadable(keyId: string): Error {
  return new Error(`vault key ${keyId} cannot be decrypted: the master key is not the one it was stored under, or the stored row was altered`);
}
