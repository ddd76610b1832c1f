import { describe, expect, it } from 'vitest';
import { fingerprintSpki } from '../../../core/keyfiles/fingerprint.js';
import { expectedFingerprint, fixture } from './support.js';

describe('fingerprintSpki', () => {
  it('is sha256: + unpadded base64url of SHA-256 over the SPKI DER', () => {
    const spki = fixture('rsa-2048.pub.der');
    const fingerprint = fingerprintSpki(spki);
    expect(fingerprint).toBe(expectedFingerprint(spki));
    expect(fingerprint).toMatch(/^sha256:[A-Za-z0-9_-]{43}$/);
  });

  it('differs for different keys', () => {
    expect(fingerprintSpki(fixture('rsa-2048.pub.der'))).not.toBe(fingerprintSpki(fixture('rsa-2048-other.pub.der')));
  });
});
