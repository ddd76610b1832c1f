import { createPublicKey, type KeyObject } from 'node:crypto';
import { DomainError } from '../errors.js';
import { fingerprintSpki } from './fingerprint.js';
import { assertSafeRsaKey } from './assert-safe-rsa-key.js';

const ACCEPTED = `an RSA key of 2048, 3072 or 4096 bits`;

/** A protector's public half as the rules see it. */
export interface DescribedPublicKey {
  bits: number;
  fingerprint: string;
  publicKeySpki: Buffer;
}

/**
 * The DESIGN §3 type and size rules applied to a public key (SPKI DER), as a key store returns it after
 * importing a BYOK key it unwrapped itself: RSA only, and the size and exponent rules of assertSafeRsaKey.
 */
export function describePublicKey(spki: Buffer): DescribedPublicKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    throw new DomainError('keyfile_malformed', `The key in the file is not a readable public/private key pair. Export ${ACCEPTED} again.`);
  }
  const type = key.asymmetricKeyType ?? 'unknown';
  if (type !== 'rsa') {
    throw new DomainError('key_type_unsupported', `The key in the file is ${type}; only RSA keys are accepted. Upload ${ACCEPTED}.`, { keyType: type });
  }
  const bits = assertSafeRsaKey(key);
  // Re-export: the fingerprint is over the canonical SPKI DER, whatever encoding the store returned.
  const publicKeySpki = key.export({ type: 'spki', format: 'der' });
  return { bits, fingerprint: fingerprintSpki(publicKeySpki), publicKeySpki };
}
