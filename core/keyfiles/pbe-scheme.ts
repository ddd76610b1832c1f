import { TAG } from './asn1-tags.js';
import { isUniversal, octets, oid, sequence, smallUint, type Asn1 } from './der.js';
import { MAX_KDF_ITERATIONS } from './limits.js';
import { HASH_SIZES, HMAC_BY_OID, OID, type HashName } from './oids.js';
import { pfxMalformed } from './pfx-errors.js';
import { pkcs12KdfCost } from './pkcs12-kdf.js';

/** Block ciphers a PFX may use; RC2 is not in node's default OpenSSL provider, so it goes through forge. */
export type PbeCipher = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'des-ede3-cbc' | 'des-ede-cbc' | 'rc2-40-cbc' | 'rc2-128-cbc';

/** A password-based encryption scheme read from an AlgorithmIdentifier, iteration count already capped. */
export type PbeScheme =
  | { kind: 'pbes2'; salt: Buffer; iterations: number; prf: HashName; cipher: PbeCipher; keyLength: number; iv: Buffer }
  | { kind: 'pkcs12'; salt: Buffer; iterations: number; cipher: PbeCipher; keyLength: number };

const PBES2_CIPHERS: Readonly<Record<string, { cipher: PbeCipher; keyLength: number; ivLength: number }>> = {
  [OID.aes128Cbc]: { cipher: 'aes-128-cbc', keyLength: 16, ivLength: 16 },
  [OID.aes192Cbc]: { cipher: 'aes-192-cbc', keyLength: 24, ivLength: 16 },
  [OID.aes256Cbc]: { cipher: 'aes-256-cbc', keyLength: 32, ivLength: 16 },
  [OID.desEde3Cbc]: { cipher: 'des-ede3-cbc', keyLength: 24, ivLength: 8 },
};

const PKCS12_CIPHERS: Readonly<Record<string, { cipher: PbeCipher; keyLength: number }>> = {
  [OID.pbeSha1TripleDes]: { cipher: 'des-ede3-cbc', keyLength: 24 },
  [OID.pbeSha1TwoKeyTripleDes]: { cipher: 'des-ede-cbc', keyLength: 16 },
  [OID.pbeSha1Rc2_128]: { cipher: 'rc2-128-cbc', keyLength: 16 },
  [OID.pbeSha1Rc2_40]: { cipher: 'rc2-40-cbc', keyLength: 5 },
};

const SUPPORTED = 'PBES2 with AES-CBC or 3DES (OpenSSL 3 default), or the PKCS#12 3DES/RC2 schemes (legacy)';

/** Reads an encryption AlgorithmIdentifier; refuses unknown algorithms and iteration counts above the cap. */
export function readPbeScheme(algorithmIdentifier: Asn1 | undefined, what: string): PbeScheme {
  const [algorithm, params] = sequence(algorithmIdentifier, `${what} algorithm`, 1);
  const algorithmOid = oid(algorithm, `${what} algorithm`);
  if (algorithmOid === OID.pbes2) {
    return readPbes2(params, what);
  }
  const legacy = PKCS12_CIPHERS[algorithmOid];
  if (!legacy) {
    throw pfxMalformed(`${what} uses an unsupported encryption algorithm (${algorithmOid}); supported: ${SUPPORTED}`, { algorithm: algorithmOid });
  }
  const [salt, count] = sequence(params, `${what} PBE parameters`, 2);
  return { kind: 'pkcs12', salt: octets(salt, `${what} PBE salt`), iterations: iterations(count, what), ...legacy };
}

/** Hash iterations that decrypting with `scheme` will run (for the per-file KDF budget). */
export function pbeCost(scheme: PbeScheme): number {
  if (scheme.kind === 'pbes2') {
    return Math.ceil(scheme.keyLength / HASH_SIZES[scheme.prf].u) * scheme.iterations;
  }
  return pkcs12KdfCost('sha1', scheme.iterations, scheme.keyLength) + pkcs12KdfCost('sha1', scheme.iterations, 8);
}

function readPbes2(params: Asn1 | undefined, what: string): PbeScheme {
  const [kdf, encryption] = sequence(params, `${what} PBES2 parameters`, 2);
  const [kdfAlgorithm, kdfParams] = sequence(kdf, `${what} PBES2 key derivation`, 2);
  if (oid(kdfAlgorithm, `${what} PBES2 key derivation`) !== OID.pbkdf2) {
    throw pfxMalformed(`${what} uses a PBES2 key derivation other than PBKDF2; supported: ${SUPPORTED}`);
  }
  const [salt, count, ...rest] = sequence(kdfParams, `${what} PBKDF2 parameters`, 2);
  let keyLength: number | undefined;
  let prf: HashName = 'sha1'; // RFC 8018 default PRF is hmacWithSHA1
  for (const field of rest) {
    if (isUniversal(field, TAG.INTEGER)) {
      keyLength = smallUint(field, `${what} PBKDF2 key length`);
    } else {
      const prfOid = oid(sequence(field, `${what} PBKDF2 PRF`, 1)[0], `${what} PBKDF2 PRF`);
      const name = HMAC_BY_OID[prfOid];
      if (!name) throw pfxMalformed(`${what} uses an unsupported PBKDF2 PRF (${prfOid}); supported: HMAC-SHA-1/224/256/384/512`);
      prf = name;
    }
  }
  const [encAlgorithm, ivNode] = sequence(encryption, `${what} PBES2 encryption scheme`, 2);
  const encOid = oid(encAlgorithm, `${what} PBES2 encryption scheme`);
  const cipher = PBES2_CIPHERS[encOid];
  if (!cipher) {
    throw pfxMalformed(`${what} uses an unsupported PBES2 cipher (${encOid}); supported: ${SUPPORTED}`, { algorithm: encOid });
  }
  const iv = octets(ivNode, `${what} PBES2 IV`);
  if (iv.length !== cipher.ivLength || (keyLength !== undefined && keyLength !== cipher.keyLength)) {
    throw pfxMalformed(`${what} has PBES2 parameters that do not fit its cipher`);
  }
  return {
    kind: 'pbes2', salt: octets(salt, `${what} PBKDF2 salt`), iterations: iterations(count, what), prf,
    cipher: cipher.cipher, keyLength: cipher.keyLength, iv,
  };
}

/** Reads an iteration count and refuses, before any KDF runs, counts outside 1..MAX_KDF_ITERATIONS. */
export function iterations(node: Asn1 | undefined, what: string): number {
  const count = smallUint(node, `${what} iteration count`);
  if (count < 1 || count > MAX_KDF_ITERATIONS) {
    throw pfxMalformed(`${what} asks for ${count} key-derivation iterations; 1 to ${MAX_KDF_ITERATIONS.toLocaleString('en-US')} are accepted`,
      { iterations: count, maxIterations: MAX_KDF_ITERATIONS });
  }
  return count;
}
