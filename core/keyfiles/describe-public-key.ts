import { createPublicKey, type KeyObject } from 'node:crypto';
import { DomainError } from '../errors.js';
import { fingerprintSpki } from './fingerprint.js';
import { MAX_RSA_BITS, MIN_RSA_BITS } from './limits.js';

const ACCEPTED = 'an RSA key of 2048, 3072 or 4096 bits';

/** A protector's public half as the rules see it. */
export interface DescribedPublicKey {
  bits: number;
  fingerprint: string;
  publicKeySpki: Buffer;
}

/**
 * The DESIGN §3 type and size rules applied to a public key (SPKI DER), as a key store returns it after
 * importing a BYOK key it unwrapped itself: RSA only, 2048 bits or more.
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
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    throw new DomainError('key_too_small', `The file holds a ${bits}-bit RSA key; keys under ${MIN_RSA_BITS} bits are refused. Upload ${ACCEPTED}.`, { bits, minimumBits: MIN_RSA_BITS });
  }
  if (bits > MAX_RSA_BITS) {
    throw new DomainError('key_type_unsupported', `The file holds a ${bits}-bit RSA key; RSA keys up to ${MAX_RSA_BITS} bits are accepted. Upload ${ACCEPTED}.`, { bits, maximumBits: MAX_RSA_BITS });
  }
  // Re-export: the fingerprint is over the canonical SPKI DER, whatever encoding the store returned.
  const publicKeySpki = key.export({ type: 'spki', format: 'der' });
  return { bits, fingerprint: fingerprintSpki(publicKeySpki), publicKeySpki };
}
