import { constants, createDecipheriv, createPublicKey, privateDecrypt, type KeyObject } from 'node:crypto';

/** RFC 5649 alternative IV: the AIV prefix for AES key wrap with padding. */
const KWP_IV = Buffer.from('A65959A6', 'hex');

/**
 * Undoes CKM_RSA_AES_KEY_WRAP (Azure BYOK) with a KEK held in this process's own key store: RSA-OAEP
 * (SHA-1, MGF1-SHA-1) of an ephemeral AES-256 key (KEK-modulus bytes long), then the PKCS#8 key under
 * AES key wrap with padding. Returns the PKCS#8 DER (the caller zeroes it), or null when it does not unwrap.
 * Only the local vault uses this: it is the key store; the HSM adapters do both steps inside the token.
 */
export function unwrapByokInProcess(kek: KeyObject, ciphertext: Buffer): Buffer | null {
  const bits = createPublicKey(kek).asymmetricKeyDetails?.modulusLength ?? 0;
  const rsaBytes = Math.ceil(bits / 8);
  // The AES-KWP part is at least 16 bytes (one semiblock of AIV + one of padded key).
  if (rsaBytes === 0 || ciphertext.length < rsaBytes + 16) return null;
  let aesKey: Buffer;
  try {
    // SHA-1 OAEP is what CKM_RSA_AES_KEY_WRAP mandates; it is only ever used with a KEK.
    aesKey = privateDecrypt({ key: kek, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, ciphertext.subarray(0, rsaBytes));
  } catch {
    return null;
  }
  try {
    if (aesKey.length !== 32) return null;
    const decipher = createDecipheriv('id-aes256-wrap-pad', aesKey, KWP_IV);
    return Buffer.concat([decipher.update(ciphertext.subarray(rsaBytes)), decipher.final()]);
  } catch {
    return null;
  } finally {
    aesKey.fill(0);
  }
}
