import pkcs11js from 'pkcs11js';
import type * as P11 from 'pkcs11js';
import type { RsaPrivateParts } from './pkcs11-rsa-der.js';

type Template = P11.Template;

/** Attributes every private key dualkey keeps: a token object that never leaves the token in the clear. */
function keptPrivate(keyId: string): Template {
  return [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_ID, value: Buffer.from(keyId) },
    { type: pkcs11js.CKA_LABEL, value: keyId },
  ];
}

/** A protector usable for decryption only; a KEK usable for unwrapping only (DESIGN §3: "usable only for import"). */
export function usage(purpose: 'protector' | 'kek'): { type: number; value: boolean }[] {
  return [
    { type: pkcs11js.CKA_DECRYPT, value: purpose === 'protector' },
    { type: pkcs11js.CKA_UNWRAP, value: purpose === 'kek' },
    { type: pkcs11js.CKA_SIGN, value: false },
  ];
}

/** RSA-OAEP mechanism parameters (CKZ_DATA_SPECIFIED, no label). */
export function oaep(hashAlg: number, mgf: number): P11.Mechanism {
  return { mechanism: pkcs11js.CKM_RSA_PKCS_OAEP, parameter: { type: pkcs11js.CK_PARAMS_RSA_OAEP, hashAlg, mgf, source: 1 } as P11.RsaOAEP };
}

/** C_CreateObject of a PFX's private key; the values are views of the caller's buffer, which it zeroes. */
export function importedPrivateKey(keyId: string, p: RsaPrivateParts): Template {
  return [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
    ...keptPrivate(keyId),
    ...usage('protector'),
    { type: pkcs11js.CKA_MODULUS, value: p.modulus },
    { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: p.publicExponent },
    { type: pkcs11js.CKA_PRIVATE_EXPONENT, value: p.privateExponent },
    { type: pkcs11js.CKA_PRIME_1, value: p.prime1 },
    { type: pkcs11js.CKA_PRIME_2, value: p.prime2 },
    { type: pkcs11js.CKA_EXPONENT_1, value: p.exponent1 },
    { type: pkcs11js.CKA_EXPONENT_2, value: p.exponent2 },
    { type: pkcs11js.CKA_COEFFICIENT, value: p.coefficient },
  ];
}

/** The private half of a key pair generated in the token. */
export function generatedPrivateKey(keyId: string, purpose: 'protector' | 'kek'): Template {
  return [...keptPrivate(keyId), ...usage(purpose)];
}

/** The public half of a generated pair: a session object, destroyed right after (the private key carries the public parts). */
export function sessionPublicKey(bits: number): Template {
  return [
    { type: pkcs11js.CKA_TOKEN, value: false },
    { type: pkcs11js.CKA_MODULUS_BITS, value: bits },
    { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
    { type: pkcs11js.CKA_ENCRYPT, value: true },
    { type: pkcs11js.CKA_WRAP, value: false },
  ];
}

/**
 * BYOK step 1: the AES transport key as a session object that only unwraps and never leaves the token.
 * No CKA_VALUE_LEN: SoftHSM2 refuses it in an unwrap template (CKR_ATTRIBUTE_READ_ONLY); the length is read back.
 */
export function transportAesKey(): Template {
  return [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
    { type: pkcs11js.CKA_TOKEN, value: false },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_UNWRAP, value: true },
    { type: pkcs11js.CKA_ENCRYPT, value: false },
    { type: pkcs11js.CKA_DECRYPT, value: false },
  ];
}

/** BYOK step 2: the customer's private key, a token object (or a session object when a retry only checks it). */
export function unwrappedPrivateKey(keyId: string, intoToken: boolean): Template {
  return [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
    ...keptPrivate(keyId).map((a) => (a.type === pkcs11js.CKA_TOKEN ? { ...a, value: intoToken } : a)),
    ...usage('protector'),
  ];
}

/** The deployment's audit-chain key: a 256-bit generic secret usable only for HMAC signing. */
export function auditKey(label: string): Template {
  return [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
    { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_SIGN, value: true },
    { type: pkcs11js.CKA_VERIFY, value: false },
    { type: pkcs11js.CKA_ID, value: Buffer.from(label) },
    { type: pkcs11js.CKA_LABEL, value: label },
  ];
}
