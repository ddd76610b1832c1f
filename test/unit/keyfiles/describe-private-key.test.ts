import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describePrivateKey } from '../../../core/keyfiles/describe-private-key.js';
import { expectedFingerprint, expectRefusal, fixture, thrownBy } from './support.js';

const pkcs8 = (key: ReturnType<typeof createPrivateKey>): Buffer => key.export({ type: 'pkcs8', format: 'der' });

describe('describePrivateKey', () => {
  it('accepts the openssl-made RSA 2048 PKCS#8 key and describes it', () => {
    const key = describePrivateKey(fixture('rsa-2048.key.der'));
    expect(key.keyType).toBe('rsa');
    expect(key.bits).toBe(2048);
    expect(key.publicKeySpki.equals(fixture('rsa-2048.pub.der'))).toBe(true);
    expect(key.fingerprint).toBe(expectedFingerprint(fixture('rsa-2048.pub.der')));
    expect(key.privateKeyPkcs8.equals(fixture('rsa-2048.key.der'))).toBe(true);
  });

  it('re-exports a traditional-format RSA key as canonical PKCS#8', () => {
    const der = createPrivateKey(fixture('rsa-2048.key.pem')).export({ type: 'pkcs8', format: 'der' });
    expect(describePrivateKey(der).privateKeyPkcs8.equals(fixture('rsa-2048.key.der'))).toBe(true);
  });

  it('refuses an RSA 1024 key with key_too_small', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const err = expectRefusal(thrownBy(() => describePrivateKey(pkcs8(privateKey))), 'key_too_small');
    expect(err.message).toContain('1024-bit');
    expect(err.message).toContain('2048, 3072 or 4096');
  });

  it('refuses an EC P-256 key with key_type_unsupported', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(expectRefusal(thrownBy(() => describePrivateKey(pkcs8(privateKey))), 'key_type_unsupported').message).toContain('EC');
  });

  it('refuses an Ed25519 key with key_type_unsupported', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    expectRefusal(thrownBy(() => describePrivateKey(pkcs8(privateKey))), 'key_type_unsupported');
  });

  it('refuses an RSA-PSS-restricted key with key_type_unsupported', () => {
    const { privateKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    expect(expectRefusal(thrownBy(() => describePrivateKey(pkcs8(privateKey))), 'key_type_unsupported').message).toContain('RSA-PSS');
  });

  it('refuses an RSA key over 4096 bits with key_type_unsupported', () => {
    // Random components: only the modulus size is read before the refusal.
    const b64 = (n: number, top = 0): string => Buffer.concat([Buffer.from([top || 0x7f]), randomBytes(n - 1)]).toString('base64url');
    const jwk = { kty: 'RSA', n: b64(1151, 0xc1), e: 'AQAB', d: b64(1100), p: b64(576), q: b64(576), dp: b64(576), dq: b64(576), qi: b64(576) };
    const err = expectRefusal(thrownBy(() => describePrivateKey(pkcs8(createPrivateKey({ key: jwk, format: 'jwk' })))), 'key_type_unsupported');
    expect(err.details.maximumBits).toBe(4096);
  });

  it('refuses an RSA key whose private half does not match its public half with keyfile_malformed', () => {
    const jwk = createPrivateKey(fixture('rsa-2048.key.pem')).export({ format: 'jwk' });
    const flip = (v: string | undefined): string => {
      const b = Buffer.from(v ?? '', 'base64url');
      b[10] = (b[10] as number) ^ 1;
      return b.toString('base64url');
    };
    const damaged = createPrivateKey({ key: { ...jwk, d: flip(jwk.d), dp: flip(jwk.dp) }, format: 'jwk' });
    expectRefusal(thrownBy(() => describePrivateKey(pkcs8(damaged))), 'keyfile_malformed');
  });

  it('refuses bytes that are not a PKCS#8 key with keyfile_malformed', () => {
    for (const garbage of [Buffer.alloc(0), Buffer.from('not a key'), randomBytes(1200), fixture('rsa-2048.pub.der')]) {
      expectRefusal(thrownBy(() => describePrivateKey(garbage)), 'keyfile_malformed');
    }
  });
});
