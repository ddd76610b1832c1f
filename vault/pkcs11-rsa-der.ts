import { createPublicKey } from 'node:crypto';

/** The RSA private key components a token needs for C_CreateObject; each one is a view into the caller's PKCS#8 buffer. */
export interface RsaPrivateParts {
  modulus: Buffer;
  publicExponent: Buffer;
  privateExponent: Buffer;
  prime1: Buffer;
  prime2: Buffer;
  exponent1: Buffer;
  exponent2: Buffer;
  coefficient: Buffer;
}

/** rsaEncryption, 1.2.840.113549.1.1.1, as DER content bytes. */
const RSA_OID = Buffer.from('2a864886f70d010101', 'hex');

/**
 * Reads an RSA PKCS#8 PrivateKeyInfo without copying: every component is a subarray of `pkcs8`, so zeroing
 * the caller's buffer zeroes them too (node's JWK export would leave base64 strings nobody can wipe).
 * Returns null when the bytes are not an RSA PKCS#8 key.
 */
export function rsaPartsOfPkcs8(pkcs8: Buffer): RsaPrivateParts | null {
  try {
    const info = readTlv(pkcs8, 0, 0x30);
    let at = info.start;
    const version = readTlv(pkcs8, at, 0x02);
    at = version.end;
    const algorithm = readTlv(pkcs8, at, 0x30);
    const oid = readTlv(pkcs8, algorithm.start, 0x06);
    if (!pkcs8.subarray(oid.start, oid.end).equals(RSA_OID)) return null;
    const octets = readTlv(pkcs8, algorithm.end, 0x04);
    const rsa = readTlv(pkcs8, octets.start, 0x30);
    at = readTlv(pkcs8, rsa.start, 0x02).end; // RSAPrivateKey version
    const ints: Buffer[] = [];
    for (let i = 0; i < 8; i += 1) {
      const int = readTlv(pkcs8, at, 0x02);
      ints.push(unsigned(pkcs8.subarray(int.start, int.end)));
      at = int.end;
    }
    const [modulus, publicExponent, privateExponent, prime1, prime2, exponent1, exponent2, coefficient] = ints as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
    return { modulus, publicExponent, privateExponent, prime1, prime2, exponent1, exponent2, coefficient };
  } catch {
    return null;
  }
}

/** The SPKI DER of an RSA public key read back from a token (CKA_MODULUS, CKA_PUBLIC_EXPONENT). */
export function rsaSpki(modulus: Buffer, publicExponent: Buffer): Buffer {
  const jwk = { kty: 'RSA', n: unsigned(modulus).toString('base64url'), e: unsigned(publicExponent).toString('base64url') };
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
}

/** A DER integer's magnitude without its sign byte (PKCS#11 big integers are unsigned). */
function unsigned(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i += 1;
  return bytes.subarray(i);
}

/** One DER tag-length-value at `at`, which must carry `tag`; throws on anything malformed. */
function readTlv(der: Buffer, at: number, tag: number): { start: number; end: number } {
  if (der[at] !== tag) throw new Error('unexpected DER tag');
  let len = der[at + 1];
  let start = at + 2;
  if (len === undefined) throw new Error('truncated DER');
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count === 0 || count > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < count; i += 1) len = len * 256 + (der[start + i] ?? NaN);
    start += count;
  }
  const end = start + len;
  if (!Number.isFinite(end) || end > der.length) throw new Error('truncated DER');
  return { start, end };
}
