import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { bmpPassword, pkcs12Kdf } from '../../../core/keyfiles/pkcs12-kdf.js';

/** forge's pure-JS PKCS#12 KDF is an independent implementation of RFC 7292 App. B. */
function forgeKdf(hash: 'sha1' | 'sha256' | 'sha512', password: string, salt: Buffer, id: number, iterations: number, n: number): string {
  const md = forge.md[hash].create();
  const key = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt.toString('binary')), id, iterations, n, md);
  return forge.util.bytesToHex(key.getBytes());
}

describe('pkcs12Kdf (RFC 7292 App. B on native hashes)', () => {
  const salt = Buffer.from('0a58cf64530d823f', 'hex');
  const cases = [
    { hash: 'sha1', id: 1, n: 24 }, // 3DES key
    { hash: 'sha1', id: 2, n: 8 }, // IV
    { hash: 'sha1', id: 1, n: 5 }, // RC2-40 key
    { hash: 'sha256', id: 3, n: 32 }, // SHA-256 MAC key
    { hash: 'sha512', id: 3, n: 64 }, // SHA-512 MAC key (128-byte blocks)
  ] as const;

  for (const { hash, id, n } of cases) {
    it(`matches forge's KDF for ${hash}, purpose ${id}, ${n} bytes, ASCII and non-ASCII passwords`, () => {
      for (const password of ['correct horse battery staple', 'smörgåsbord 🔑', 'x']) {
        expect(pkcs12Kdf(hash, bmpPassword(password), salt, id, 100, n).toString('hex')).toBe(forgeKdf(hash, password, salt, id, 100, n));
      }
    });
  }

  it('encodes passwords as BMPString with a two-byte terminator', () => {
    expect(bmpPassword('Ab').toString('hex')).toBe('004100620000');
    expect(bmpPassword('').toString('hex')).toBe('0000');
  });
});
