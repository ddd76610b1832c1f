import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { DomainError } from '../errors.js';
import { fingerprintSpki } from './fingerprint.js';
import { assertSafeRsaKey } from './assert-safe-rsa-key.js';
import { MAX_KEYFILE_BYTES } from './limits.js';
import type { ParsedKey } from './parsed-key.js';

const ACCEPTED = `an RSA key of 2048, 3072 or 4096 bits`;

/** Names a refused key type for a human; node's asymmetricKeyType is terse. */
const TYPE_NAMES: Record<string, string> = {
  'rsa-pss': 'RSA-PSS-restricted (id-RSASSA-PSS)', ec: 'EC (elliptic-curve)', ed25519: 'Ed25519',
  ed448: 'Ed448', x25519: 'X25519', x448: 'X448', dsa: 'DSA', dh: 'Diffie-Hellman',
};

/** Validates a PKCS#8 DER private key (RSA, safe per assertSafeRsaKey, halves consistent) and describes it. */
export function describePrivateKey(pkcs8Der: Buffer): ParsedKey {
  if (pkcs8Der.length === 0 || pkcs8Der.length > MAX_KEYFILE_BYTES) {
    throw malformed();
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pkcs8Der, format: 'der', type: 'pkcs8' });
  } catch {
    // node's message may quote OpenSSL internals; ours must say what to do instead.
    throw malformed();
  }
  const type = key.asymmetricKeyType ?? 'unknown';
  if (type !== 'rsa') {
    const name = TYPE_NAMES[type] ?? type;
    throw new DomainError('key_type_unsupported',
      `The key in the file is ${name}; only RSA keys are accepted. Upload ${ACCEPTED}.`, { keyType: type });
  }
  // Size, exponent and p·q rules before anything uses the key (the pairwise test below cannot catch e = 1).
  const bits = assertSafeRsaKey(key);
  const publicKey = createPublicKey(key);
  assertHalvesMatch(key, publicKey);
  const publicKeySpki = publicKey.export({ type: 'spki', format: 'der' });
  return {
    keyType: 'rsa',
    bits,
    fingerprint: fingerprintSpki(publicKeySpki),
    publicKeySpki,
    privateKeyPkcs8: key.export({ type: 'pkcs8', format: 'der' }),
  };
}

/**
 * Pairwise consistency test: a key whose private exponent does not match its modulus would be
 * accepted, wrap DEKs under its public half, and leave the instance unreadable later.
 */
function assertHalvesMatch(privateKey: KeyObject, publicKey: KeyObject): void {
  const probe = Buffer.from('dualkey pairwise consistency test');
  let ok = false;
  try {
    ok = verify('sha256', probe, publicKey, sign('sha256', probe, privateKey));
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new DomainError('keyfile_malformed',
      'The RSA private key in the file is damaged: its private part does not match its public part. Export the key again.');
  }
}

function malformed(): DomainError {
  return new DomainError('keyfile_malformed',
    `The private key in the file is not a readable PKCS#8 private key. Export ${ACCEPTED} again (PKCS#8 inside a PFX or BYOK file).`);
}
