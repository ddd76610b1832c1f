import { describe, expect, it } from 'vitest';
import { parsePfx } from '../../../core/keyfiles/parse-pfx.js';
import { pfxToBer } from './der-patch.js';
import { expectedFingerprint, expectRefusal, fixture, PASSWORD, thrownBy } from './support.js';

describe('parsePfx: accepted files (made by the openssl CLI)', () => {
  for (const bits of [2048, 3072, 4096]) {
    it(`reads a modern OpenSSL 3 PFX (PBES2/AES-256, SHA-256 MAC) holding an RSA ${bits} key`, () => {
      const key = parsePfx(fixture(`rsa-${bits}.pfx`), PASSWORD);
      expect(key.keyType).toBe('rsa');
      expect(key.bits).toBe(bits);
      expect(key.fingerprint).toBe(expectedFingerprint(fixture(`rsa-${bits}.pub.der`)));
      expect(key.publicKeySpki.equals(fixture(`rsa-${bits}.pub.der`))).toBe(true);
    });
  }

  it('reads a legacy PFX (3DES key bag, RC2-40 certificate safe, SHA-1 MAC) to the same key', () => {
    const key = parsePfx(fixture('rsa-2048-legacy.pfx'), PASSWORD);
    expect(key.bits).toBe(2048);
    expect(key.fingerprint).toBe(expectedFingerprint(fixture('rsa-2048.pub.der')));
    expect(key.privateKeyPkcs8.equals(fixture('rsa-2048.key.der'))).toBe(true);
  });

  it('reads a BER-encoded PFX (indefinite lengths, chunked OCTET STRING) to the same key', () => {
    const ber = pfxToBer(fixture('rsa-2048.pfx'));
    expect(ber.equals(fixture('rsa-2048.pfx'))).toBe(false);
    expect(parsePfx(ber, PASSWORD).fingerprint).toBe(expectedFingerprint(fixture('rsa-2048.pub.der')));
  });

  it('returns the private key as the PKCS#8 DER openssl wrote', () => {
    expect(parsePfx(fixture('rsa-2048.pfx'), PASSWORD).privateKeyPkcs8.equals(fixture('rsa-2048.key.der'))).toBe(true);
  });

  it('tells two different keys apart by fingerprint', () => {
    const other = parsePfx(fixture('rsa-2048-other.pfx'), PASSWORD);
    expect(other.fingerprint).toBe(expectedFingerprint(fixture('rsa-2048-other.pub.der')));
    expect(other.fingerprint).not.toBe(expectedFingerprint(fixture('rsa-2048.pub.der')));
  });

});

describe('parsePfx: refusals', () => {
  it('refuses a missing password with pfx_password_required', () => {
    expectRefusal(thrownBy(() => parsePfx(fixture('rsa-2048.pfx'), undefined)), 'pfx_password_required');
  });

  it('refuses an empty password with pfx_password_required', () => {
    expectRefusal(thrownBy(() => parsePfx(fixture('rsa-2048.pfx'), '')), 'pfx_password_required');
  });

  it('refuses a PFX exported with an empty password with pfx_password_required, whatever password is typed', () => {
    const err = expectRefusal(thrownBy(() => parsePfx(fixture('rsa-2048-empty-password.pfx'), PASSWORD)), 'pfx_password_required');
    expect(err.message).toMatch(/not password protected/);
    expect(err.message).toMatch(/export it again with a password/i);
  });

  it('refuses a PFX without a MAC (-nomac) with pfx_password_required', () => {
    expectRefusal(thrownBy(() => parsePfx(fixture('rsa-2048-nomac.pfx'), PASSWORD)), 'pfx_password_required');
  });

  it('refuses a PFX whose key bag is not encrypted (-keypbe NONE) with pfx_password_required', () => {
    expect(expectRefusal(thrownBy(() => parsePfx(fixture('rsa-2048-unencrypted-key.pfx'), PASSWORD)), 'pfx_password_required').message)
      .toMatch(/unencrypted/);
  });

  it('refuses a wrong password with pfx_bad_password (modern and legacy)', () => {
    for (const file of ['rsa-2048.pfx', 'rsa-2048-legacy.pfx']) {
      expectRefusal(thrownBy(() => parsePfx(fixture(file), `${PASSWORD}!`)), 'pfx_bad_password');
    }
  });

  it('refuses a certificate-only PFX with pfx_no_private_key', () => {
    expectRefusal(thrownBy(() => parsePfx(fixture('cert-only.pfx'), PASSWORD)), 'pfx_no_private_key');
  });

  it('refuses a PFX holding a 1024-bit key with key_too_small', () => {
    const err = expectRefusal(thrownBy(() => parsePfx(fixture('rsa-1024.pfx'), PASSWORD)), 'key_too_small');
    expect(err.message).toBe('The file holds a 1024-bit RSA key; keys under 2048 bits are refused. Upload an RSA key of 2048, 3072 or 4096 bits.');
  });

  it('refuses a PFX holding an EC P-256 key with key_type_unsupported', () => {
    expect(expectRefusal(thrownBy(() => parsePfx(fixture('ec-p256.pfx'), PASSWORD)), 'key_type_unsupported').message).toMatch(/only RSA/);
  });

  it('refuses a PKCS#8 key given instead of a PFX with keyfile_malformed', () => {
    expectRefusal(thrownBy(() => parsePfx(fixture('rsa-2048.key.der'), PASSWORD)), 'keyfile_malformed');
  });
});
