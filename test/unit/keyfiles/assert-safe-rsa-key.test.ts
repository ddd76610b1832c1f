import { createPrivateKey, createPublicKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertSafeRsaKey } from '../../../core/keyfiles/assert-safe-rsa-key.js';
import { describePrivateKey } from '../../../core/keyfiles/describe-private-key.js';
import { describePublicKey } from '../../../core/keyfiles/describe-public-key.js';
import { parsePfx } from '../../../core/keyfiles/parse-pfx.js';
import { forgePfx, generateRsaNumbers, pkcs8Of, smooth8192Numbers, withExponent, type RsaNumbers } from '../../support/unsafe-rsa-keys.js';
import { expectRefusal, thrownBy } from './support.js';

// Issue 8 item 4: every unsafe RSA key is refused by the one rule function, on the private and public paths alike.
const PASSWORD = 'unsafe keys password';

describe('assertSafeRsaKey', () => {
  const keys: Record<string, RsaNumbers> = {};
  beforeAll(() => {
    // Built once per file: two 2048-bit keys, one with e = 3, and a cheap working 8192-bit key.
    const base = generateRsaNumbers();
    const other = generateRsaNumbers();
    keys.good = base;
    keys['e = 1'] = withExponent(base, 1n);
    keys['e = 3'] = generateRsaNumbers(2048, 3);
    keys['even e'] = withExponent(base, 65538n);
    keys['e ≥ 2^256'] = withExponent(base, (1n << 256n) + 1n);
    keys['n ≠ p·q'] = { ...base, p: other.p, q: other.q, dp: other.dp, dq: other.dq, qi: other.qi };
    keys['8192-bit modulus'] = smooth8192Numbers();
  });

  const cases: [string, string, RegExp][] = [
    ['e = 1', 'exponent_too_small', /public exponent of the key is 1;.*below 65537/],
    ['e = 3', 'exponent_too_small', /public exponent of the key is 3;/],
    ['even e', 'exponent_even', /even \(65538\)/],
    ['e ≥ 2^256', 'exponent_too_large', /below 2\^256/],
    ['n ≠ p·q', 'primes_mismatch', /do not multiply to its modulus/],
    ['8192-bit modulus', 'modulus_too_large', /8192-bit.*up to 4096 bits/],
  ];

  it.each(cases)('refuses a PKCS#8 key with %s with key_type_unsupported naming the rule (%s)', (name, rule, text) => {
    const err = expectRefusal(thrownBy(() => describePrivateKey(pkcs8Of(keys[name]!))), 'key_type_unsupported');
    expect(err.details.rule).toBe(rule);
    expect(err.message).toMatch(text);
    expect(err.message).toContain('2048, 3072 or 4096 bits with public exponent 65537');
  });

  it.each(cases)('refuses a PFX (written by node-forge) holding a key with %s with key_type_unsupported', (name, rule) => {
    const err = expectRefusal(thrownBy(() => parsePfx(forgePfx(pkcs8Of(keys[name]!), PASSWORD), PASSWORD)), 'key_type_unsupported', [PASSWORD]);
    expect(err.details.rule).toBe(rule);
  });

  it.each(cases.filter(([name]) => name !== 'n ≠ p·q'))('refuses the public key of a key with %s (what a vault returns after a BYOK import)', (name, rule) => {
    const spki = createPublicKey(createPrivateKey({ key: pkcs8Of(keys[name]!), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' });
    expect(expectRefusal(thrownBy(() => describePublicKey(spki)), 'key_type_unsupported').details.rule).toBe(rule);
  });

  it('accepts a sound RSA 2048 key with e = 65537, private and public halves alike', () => {
    const key = createPrivateKey({ key: pkcs8Of(keys.good!), format: 'der', type: 'pkcs8' });
    expect(assertSafeRsaKey(key)).toBe(2048);
    expect(assertSafeRsaKey(createPublicKey(key))).toBe(2048);
    expect(parsePfx(forgePfx(pkcs8Of(keys.good!), PASSWORD), PASSWORD).bits).toBe(2048);
  });

  it('refuses an even modulus with key_type_unsupported (trivially factorable)', () => {
    const k = keys.good!;
    const spki = createPublicKey({ key: { kty: 'RSA', n: Buffer.from((k.n + 1n).toString(16), 'hex').toString('base64url'), e: 'AQAB' }, format: 'jwk' }).export({ type: 'spki', format: 'der' });
    expect(expectRefusal(thrownBy(() => describePublicKey(spki)), 'key_type_unsupported').details.rule).toBe('modulus_even');
  });

  it('keeps refusing keys under 2048 bits with key_too_small', () => {
    const small = generateRsaNumbers(1024);
    expect(expectRefusal(thrownBy(() => describePrivateKey(pkcs8Of(small))), 'key_too_small').details.minimumBits).toBe(2048);
  });
});
