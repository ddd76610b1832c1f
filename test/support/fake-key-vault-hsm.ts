import { constants, createDecipheriv, createPrivateKey, createPublicKey, privateDecrypt, type KeyObject } from 'node:crypto';

/**
 * What the fake Key Vault's "HSM" does with a BYOK blob (Azure BYOK spec): RSA-OAEP (SHA-1) of an ephemeral
 * AES-256 key under the KEK, then RFC 5649 AES key wrap with padding of the PKCS#8 key. Written apart from
 * dualkey's own code so the fake checks the format independently. Returns the private key, or a refusal.
 */
export function hsmUnwrapByok(kek: KeyObject, ciphertext: Buffer): { key: KeyObject } | { refused: string } {
  const rsaBytes = (createPublicKey(kek).asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  if (ciphertext.length <= rsaBytes) return { refused: 'the ciphertext is shorter than the KEK modulus' };
  let aes: Buffer;
  try {
    aes = privateDecrypt({ key: kek, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, ciphertext.subarray(0, rsaBytes));
  } catch {
    return { refused: 'the transfer key does not decrypt with the KEK' };
  }
  let pkcs8: Buffer;
  try {
    const d = createDecipheriv('id-aes256-wrap-pad', aes, Buffer.from('A65959A6', 'hex'));
    pkcs8 = Buffer.concat([d.update(ciphertext.subarray(rsaBytes)), d.final()]);
  } catch {
    return { refused: 'the key wrap integrity check failed' };
  }
  try {
    const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    return key.asymmetricKeyType === 'rsa' ? { key } : { refused: 'the target key is not RSA' };
  } catch {
    return { refused: 'the unwrapped bytes are not a PKCS#8 key' };
  } finally {
    pkcs8.fill(0);
  }
}
