import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import type { Pkcs11Api } from './pkcs11-module.js';
import { rsaSpki } from './pkcs11-rsa-der.js';
import { oaep, sessionPublicKey } from './pkcs11-templates.js';
import { Pkcs11UnsupportedError } from './pkcs11-unsupported-error.js';

/**
 * Checks that the token really decrypts RSA-OAEP with SHA-256 and MGF1-SHA-256 (every wrapped DEK is),
 * which C_GetMechanismList cannot say: it lists CKM_RSA_PKCS_OAEP whatever hashes the module accepts.
 * Round-trips a random value through a throw-away session key pair; throws Pkcs11UnsupportedError when refused.
 */
export function probeOaepSha256(api: Pkcs11Api, s: Buffer): void {
  const pair = api.C_GenerateKeyPair(s, { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN }, sessionPublicKey(2048), [
    { type: pkcs11js.CKA_TOKEN, value: false },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_DECRYPT, value: true },
  ]);
  try {
    const [n, e] = api.C_GetAttributeValue(s, pair.publicKey, [{ type: pkcs11js.CKA_MODULUS }, { type: pkcs11js.CKA_PUBLIC_EXPONENT }]).map((a) => a.value);
    const probe = randomBytes(32);
    const ciphertext = publicEncrypt({ key: createPublicKey({ key: rsaSpki(n!, e!), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, probe);
    let plain: Buffer;
    try {
      api.C_DecryptInit(s, oaep(pkcs11js.CKM_SHA256, pkcs11js.CKG_MGF1_SHA256), pair.privateKey);
      plain = api.C_Decrypt(s, ciphertext, Buffer.alloc(256));
    } catch (err) {
      const code = (err as { code?: number }).code;
      const name = Object.entries(pkcs11js).find(([k, v]) => k.startsWith('CKR_') && v === code)?.[0] ?? (err as Error).message;
      throw new Pkcs11UnsupportedError('CKM_RSA_PKCS_OAEP with SHA-256 and MGF1-SHA-256', `C_Decrypt refused it (${name}), and every DEK is wrapped with RSA-OAEP-SHA256; use a token that supports it (NSS softokn does; SoftHSM2 2.6 does not)`);
    }
    if (!plain.equals(probe)) throw new Pkcs11UnsupportedError('CKM_RSA_PKCS_OAEP with SHA-256 and MGF1-SHA-256', 'the token decrypted a test value to something else');
  } finally {
    api.C_DestroyObject(s, pair.privateKey);
    api.C_DestroyObject(s, pair.publicKey);
  }
}
