import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'keyfiles');

/** Password of every protected fixture file. */
export const FIXTURE_PASSWORD = 'correct horse battery staple';

/** Bytes of a fixture under test/fixtures/keyfiles. */
export function fixture(name: string): Buffer {
  return readFileSync(path.join(DIR, name));
}

/**
 * A BYOK file made by the test, independently of core: CKM_RSA_AES_KEY_WRAP of `pkcs8Der` under the
 * KEK public key (RSA-OAEP SHA-1 of an ephemeral AES-256 key, then RFC 5649 wrap), as an HSM tool would.
 */
export function makeByok(kekPublicKeyPem: string, kid: string, pkcs8Der: Buffer): Buffer {
  const aesKey = randomBytes(32);
  const rsaPart = publicEncrypt({ key: createPublicKey(kekPublicKeyPem), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, aesKey);
  const wrap = createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('A65959A6', 'hex'));
  const wrapped = Buffer.concat([wrap.update(pkcs8Der), wrap.final()]);
  const body = { schema_version: '1.0.0', header: { kid, alg: 'dir', enc: 'CKM_RSA_AES_KEY_WRAP' }, ciphertext: Buffer.concat([rsaPart, wrapped]).toString('base64url'), generator: 'dualkey tests' };
  return Buffer.from(JSON.stringify(body));
}
