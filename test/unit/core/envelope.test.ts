import { constants, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptRecord, encryptRecord, generateDek, recordAad, wrapDek } from '../../../core/crypto/envelope.js';

const random = { bytes: (n: number) => randomBytes(n) };

describe('envelope encryption', () => {
  it('wraps a DEK with RSA-OAEP-SHA256 that the private key (and only it) unwraps', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dek = generateDek(random);
    const wrapped = wrapDek(dek, publicKey.export({ format: 'der', type: 'spki' }));
    expect(privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped)).toEqual(dek);
    expect(() => privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, wrapped)).toThrow();
  });

  it('round-trips a record and binds it to tenant, instance, key and DEK version', () => {
    const dek = generateDek(random);
    const aad = recordAad('t1', 'i1', 'customer/1', 1);
    const sealed = encryptRecord(dek, aad, Buffer.from('Ada'), random);
    expect(sealed.nonce).toHaveLength(12);
    expect(decryptRecord(dek, aad, sealed).toString()).toBe('Ada');
    for (const other of [recordAad('t2', 'i1', 'customer/1', 1), recordAad('t1', 'i2', 'customer/1', 1), recordAad('t1', 'i1', 'customer/2', 1), recordAad('t1', 'i1', 'customer/1', 2)]) {
      expect(() => decryptRecord(dek, other, sealed)).toThrow();
    }
  });

  it('refuses a record whose ciphertext, tag or nonce was altered, and round-trips an empty value', () => {
    const dek = generateDek(random);
    const aad = recordAad('t1', 'i1', 'k', 1);
    const sealed = encryptRecord(dek, aad, randomBytes(1024), random);
    const flip = (b: Buffer, at: number) => Buffer.from(b.map((x, i) => (i === at ? x ^ 1 : x)));
    expect(() => decryptRecord(dek, aad, { ...sealed, ciphertext: flip(sealed.ciphertext, 1023) })).toThrow();
    expect(() => decryptRecord(dek, aad, { ...sealed, tag: flip(sealed.tag, 0) })).toThrow();
    expect(() => decryptRecord(dek, aad, { ...sealed, nonce: flip(sealed.nonce, 11) })).toThrow();
    const empty = encryptRecord(dek, aad, Buffer.alloc(0), random);
    expect(empty.ciphertext).toHaveLength(0);
    expect(decryptRecord(dek, aad, empty)).toHaveLength(0);
  });

  it('refuses a record with a truncated tag or a nonce of another size, which GCM alone would accept', () => {
    const dek = generateDek(random);
    const aad = recordAad('t1', 'i1', 'k', 1);
    const sealed = encryptRecord(dek, aad, Buffer.from('Ada'), random);
    expect(sealed.tag).toHaveLength(16);
    expect(() => decryptRecord(dek, aad, { ...sealed, tag: sealed.tag.subarray(0, 12) })).toThrow(/16-byte tag, not 12 and 12/);
    const longNonce = { ...sealed, nonce: randomBytes(16) };
    expect(() => decryptRecord(dek, aad, longNonce)).toThrow(/12-byte nonce/);
  });

  it('encodes the AAD unambiguously (no field can absorb its neighbour)', () => {
    expect(recordAad('a', 'b|c', 'd', 1).equals(recordAad('a|b', 'c', 'd', 1))).toBe(false);
  });

  it('uses a fresh nonce for every record', () => {
    const dek = generateDek(random);
    const a = encryptRecord(dek, recordAad('t', 'i', 'k', 1), Buffer.from('x'), random);
    const b = encryptRecord(dek, recordAad('t', 'i', 'k', 1), Buffer.from('x'), random);
    expect(a.nonce.equals(b.nonce)).toBe(false);
  });
});
