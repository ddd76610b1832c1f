import type { KeyObject } from 'node:crypto';
import { DomainError } from '../errors.js';
import { MAX_RSA_BITS, MIN_RSA_BITS } from './limits.js';

const SIZES = 'an RSA key of 2048, 3072 or 4096 bits';
const ACCEPTED = `${SIZES} with public exponent 65537 (as OpenSSL, HSMs and "dualkey key new" make them)`;

/** Smallest public exponent accepted: 65537 (F4), what every mainstream tool uses. */
export const MIN_RSA_EXPONENT = 65537n;

/** Exclusive upper bound on the public exponent (2^256): larger ones only slow every wrap and hide mistakes. */
export const RSA_EXPONENT_LIMIT = 1n << 256n;

/**
 * The RSA key rules (DESIGN §3, issue 8 item 4) on any key that enters dualkey — a PFX's private key,
 * the public key a vault returns after a BYOK import, a generated key: modulus 2048–4096 bits and odd,
 * public exponent odd, ≥ 65537 and < 2^256, and n = p·q when the private key carries its primes.
 * Under e = 1 RSA-OAEP "wrapping" is the identity, so a locked instance's one wrapped DEK would decode
 * without any private key; the other rules refuse keys that are broken or cheaper to attack than they look.
 * Returns the modulus length in bits.
 */
export function assertSafeRsaKey(key: KeyObject): number {
  if (key.asymmetricKeyType !== 'rsa') throw new Error('assertSafeRsaKey takes an RSA key; the caller checks the key type first');
  const jwk = key.export({ format: 'jwk' });
  const n = toBigInt(jwk.n);
  const e = toBigInt(jwk.e);
  const bits = n.toString(2).length;
  if (bits < MIN_RSA_BITS) {
    throw new DomainError('key_too_small',
      `The file holds a ${bits}-bit RSA key; keys under ${MIN_RSA_BITS} bits are refused. Upload ${SIZES}.`,
      { bits, minimumBits: MIN_RSA_BITS });
  }
  if (bits > MAX_RSA_BITS) {
    // Huge moduli make every unwrap slow and most HSMs/vaults cannot import them.
    throw unsafe('modulus_too_large', `The file holds a ${bits}-bit RSA key; RSA keys up to ${MAX_RSA_BITS} bits are accepted.`, { bits, maximumBits: MAX_RSA_BITS });
  }
  if ((n & 1n) === 0n) {
    // An even modulus has the factor 2: anyone can factor it.
    throw unsafe('modulus_even', 'The RSA modulus of the key is even, so the key is trivially factorable.', { bits });
  }
  if ((e & 1n) === 0n) {
    throw unsafe('exponent_even', `The RSA public exponent of the key is even (${short(e)}); RSA needs an odd public exponent.`, { bits });
  }
  if (e < MIN_RSA_EXPONENT) {
    throw unsafe('exponent_too_small', `The RSA public exponent of the key is ${e}; public exponents below 65537 are refused (e = 1 encrypts nothing, small ones invite known attacks).`, { bits, exponent: Number(e) });
  }
  if (e >= RSA_EXPONENT_LIMIT) {
    throw unsafe('exponent_too_large', `The RSA public exponent of the key has ${e.toString(2).length} bits; public exponents must be below 2^256.`, { bits });
  }
  if (key.type === 'private' && jwk.p !== undefined && jwk.q !== undefined) {
    const p = toBigInt(jwk.p);
    const q = toBigInt(jwk.q);
    // p = 1, q = n would satisfy n = p·q on paper: both primes must be proper factors.
    if (p <= 1n || q <= 1n || p * q !== n) {
      throw unsafe('primes_mismatch', 'The private key is inconsistent: its primes p and q do not multiply to its modulus n. Export the key again from its source.', { bits });
    }
  }
  return bits;
}

/** A `key_type_unsupported` refusal naming the broken rule and what would be accepted. */
function unsafe(rule: string, what: string, details: Record<string, string | number | boolean | null>): DomainError {
  return new DomainError('key_type_unsupported', `${what} Upload ${ACCEPTED}.`, { rule, ...details });
}

/** Big exponents are shown by size only: the message stays short. */
function short(e: bigint): string {
  return e < 1n << 64n ? e.toString() : `a ${e.toString(2).length}-bit number`;
}

function toBigInt(b64url: string | undefined): bigint {
  if (!b64url) throw new Error('RSA key without modulus or exponent');
  return BigInt(`0x${Buffer.from(b64url, 'base64url').toString('hex') || '0'}`);
}
