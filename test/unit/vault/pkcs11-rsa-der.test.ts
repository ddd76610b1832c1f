import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CKM_AES_KEY_WRAP_KWP, parseKwpMechanism } from '../../../vault/pkcs11-mechanisms.js';
import { rsaPartsOfPkcs8, rsaSpki } from '../../../vault/pkcs11-rsa-der.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pkcs8 = rsa.privateKey.export({ type: 'pkcs8', format: 'der' });
const jwk = rsa.privateKey.export({ format: 'jwk' });
const b = (s: string | undefined) => Buffer.from(s!, 'base64url');

describe('reading an RSA PKCS#8 key for C_CreateObject', () => {
  it('returns every component, unsigned, as node reads them', () => {
    const p = rsaPartsOfPkcs8(pkcs8)!;
    expect(p.modulus.equals(b(jwk.n))).toBe(true);
    expect(p.publicExponent.equals(b(jwk.e))).toBe(true);
    expect(p.privateExponent.equals(b(jwk.d))).toBe(true);
    expect(p.prime1.equals(b(jwk.p))).toBe(true);
    expect(p.prime2.equals(b(jwk.q))).toBe(true);
    expect(p.exponent1.equals(b(jwk.dp))).toBe(true);
    expect(p.exponent2.equals(b(jwk.dq))).toBe(true);
    expect(p.coefficient.equals(b(jwk.qi))).toBe(true);
  });

  it('refuses an EC key, a truncated key and bytes that are not DER', () => {
    expect(rsaPartsOfPkcs8(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'der' }))).toBeNull();
    expect(rsaPartsOfPkcs8(pkcs8.subarray(0, pkcs8.length - 20))).toBeNull();
    expect(rsaPartsOfPkcs8(Buffer.from('not a key'))).toBeNull();
    expect(rsaPartsOfPkcs8(Buffer.alloc(0))).toBeNull();
  });

  it('builds the SPKI from a modulus and exponent as a token returns them (leading zeros tolerated)', () => {
    const spki = rsa.publicKey.export({ type: 'spki', format: 'der' });
    expect(rsaSpki(Buffer.concat([Buffer.alloc(1), b(jwk.n)]), Buffer.from([0, 1, 0, 1])).equals(spki)).toBe(true);
  });
});

describe('PKCS11_AES_KWP_MECHANISM', () => {
  it('defaults to CKM_AES_KEY_WRAP_KWP and takes names or codes', () => {
    expect(parseKwpMechanism(undefined)).toBe(CKM_AES_KEY_WRAP_KWP);
    expect(parseKwpMechanism('CKM_AES_KEY_WRAP_PAD')).toBe(0x210a);
    expect(parseKwpMechanism('ckm_aes_key_wrap_kwp')).toBe(0x210b);
    expect(parseKwpMechanism('0x8000000B')).toBe(0x8000000b);
    expect(parseKwpMechanism('8458')).toBe(8458);
  });

  it('refuses anything else, saying what is accepted', () => {
    expect(() => parseKwpMechanism('RFC5649')).toThrow(/use CKM_AES_KEY_WRAP_KWP, CKM_AES_KEY_WRAP_PAD or a code/);
    expect(() => parseKwpMechanism('-1')).toThrow(/is not a mechanism/);
  });
});
