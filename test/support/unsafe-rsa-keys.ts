import { createPrivateKey, generateKeyPairSync, generatePrimeSync, type JsonWebKey } from 'node:crypto';
import forge from 'node-forge';

/** An RSA private key as plain numbers; tests bend them into unsafe keys. */
export interface RsaNumbers {
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qi: bigint;
}

const b64 = (x: bigint): string => {
  const hex = x.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
};
const num = (s: string | undefined): bigint => BigInt(`0x${Buffer.from(s ?? '', 'base64url').toString('hex')}`);
const mod = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
const lcm = (a: bigint, b: bigint): bigint => (a / gcd(a, b)) * b;

/** Modular inverse by the extended Euclidean algorithm (throws when none exists). */
export function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [mod(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const t = r0 / r1;
    [r0, r1] = [r1, r0 - t * r1];
    [s0, s1] = [s1, s0 - t * s1];
  }
  if (r0 !== 1n) throw new Error('no inverse');
  return mod(s0, m);
}

/** The numbers of a freshly generated key (node's OpenSSL, so independent of core). */
export function generateRsaNumbers(bits = 2048, publicExponent = 65537): RsaNumbers {
  const jwk = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent }).privateKey.export({ format: 'jwk' });
  return { n: num(jwk.n), e: num(jwk.e), d: num(jwk.d), p: num(jwk.p), q: num(jwk.q), dp: num(jwk.dp), dq: num(jwk.dq), qi: num(jwk.qi) };
}

/** The same primes under another public exponent, with d, dp, dq recomputed when e is invertible (else kept). */
export function withExponent(k: RsaNumbers, e: bigint): RsaNumbers {
  const lambda = lcm(k.p - 1n, k.q - 1n);
  if (e === 1n) return { ...k, e, d: 1n, dp: 1n, dq: 1n };
  try {
    const d = modInverse(e, lambda);
    return { ...k, e, d, dp: d % (k.p - 1n), dq: d % (k.q - 1n) };
  } catch {
    return { ...k, e };
  }
}

/** PKCS#8 DER of the numbers, encoded by node (which, like OpenSSL, loads such keys without judging them). */
export function pkcs8Of(k: RsaNumbers): Buffer {
  const jwk: JsonWebKey = { kty: 'RSA', n: b64(k.n), e: b64(k.e), d: b64(k.d), p: b64(k.p), q: b64(k.q), dp: b64(k.dp), dq: b64(k.dq), qi: b64(k.qi) };
  return createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs8', format: 'der' });
}

/**
 * A password-protected PFX of the key written by node-forge (legacy 3DES / SHA-1 MAC, as older tools
 * write them): made independently of core's PFX writer.
 */
export function forgePfx(pkcs8Der: Buffer, password: string): Buffer {
  const key = forge.pki.privateKeyFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(pkcs8Der.toString('binary')))) as forge.pki.rsa.PrivateKey;
  // No certificate: dualkey needs only the key (forge accepts null although its types do not say so).
  const p12 = forge.pkcs12.toPkcs12Asn1(key, null as unknown as forge.pki.Certificate, password, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}

/**
 * A working 8192-bit RSA key built cheaply: p and q are each a product of 256-bit primes rather than one
 * 4096-bit prime (which costs seconds of CPU to find). Encryption and CRT decryption work as for any RSA
 * key; only its size matters to the rule under test.
 */
export function smooth8192Numbers(): RsaNumbers {
  const e = 65537n;
  const prime = (bits: number): bigint => {
    for (;;) {
      const r = generatePrimeSync(bits, { bigint: true });
      if ((r - 1n) % e !== 0n) return r;
    }
  };
  const factors = Array.from({ length: 31 }, () => prime(256));
  const m = factors.reduce((a, b) => a * b, 1n);
  let last = 0n;
  for (let i = 0; i < 200 && last === 0n; i++) {
    const candidate = prime(8192 - m.toString(2).length + (i % 2));
    if ((m * candidate).toString(2).length === 8192) last = candidate;
  }
  if (last === 0n) throw new Error('could not size the 8192-bit modulus');
  factors.push(last);
  const pf = factors.slice(0, 16);
  const qf = factors.slice(16);
  const p = pf.reduce((a, b) => a * b, 1n);
  const q = qf.reduce((a, b) => a * b, 1n);
  const lp = pf.reduce((a, f) => lcm(a, f - 1n), 1n);
  const lq = qf.reduce((a, f) => lcm(a, f - 1n), 1n);
  const d = modInverse(e, lcm(lp, lq));
  return { n: p * q, e, d, p, q, dp: d % lp, dq: d % lq, qi: modInverse(q, p) };
}
