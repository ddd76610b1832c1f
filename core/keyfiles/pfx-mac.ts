import { createHmac, timingSafeEqual } from 'node:crypto';
import { octets, oid, sequence, type Asn1 } from './der.js';
import { DIGEST_BY_OID, HASH_SIZES, type HashName } from './oids.js';
import { iterations } from './pbe-scheme.js';
import { pfxMalformed } from './pfx-errors.js';
import { pkcs12Kdf, pkcs12KdfCost } from './pkcs12-kdf.js';

/** The PFX MacData: HMAC over the AuthenticatedSafe with a key from the PKCS#12 KDF (RFC 7292 §4, App. B). */
export interface PfxMac {
  hash: HashName;
  digest: Buffer;
  salt: Buffer;
  iterations: number;
}

/** Reads MacData; the iteration count (default 1) is capped here, before any KDF runs. */
export function readPfxMac(macData: Asn1): PfxMac {
  const [digestInfo, salt, count] = sequence(macData, 'the MAC', 2);
  const [algorithm, digest] = sequence(digestInfo, 'the MAC digest', 2);
  const digestOid = oid(sequence(algorithm, 'the MAC algorithm', 1)[0], 'the MAC algorithm');
  const hash = DIGEST_BY_OID[digestOid];
  if (!hash) {
    throw pfxMalformed(`its MAC uses an unsupported digest (${digestOid}); supported: SHA-1, SHA-224, SHA-256, SHA-384, SHA-512`, { algorithm: digestOid });
  }
  const mac: PfxMac = {
    hash,
    digest: octets(digest, 'the MAC digest'),
    salt: octets(salt, 'the MAC salt'),
    iterations: count === undefined ? 1 : iterations(count, 'the MAC'),
  };
  if (mac.digest.length !== HASH_SIZES[hash].u) {
    throw pfxMalformed('its MAC digest has the wrong length for its algorithm');
  }
  return mac;
}

/** Hash iterations one MAC verification runs. */
export function macCost(mac: PfxMac): number {
  return pkcs12KdfCost(mac.hash, mac.iterations, HASH_SIZES[mac.hash].u);
}

/** True when the MAC over `authSafe` verifies with `bmpPassword` (BMPString, as the PKCS#12 KDF takes it). */
export function verifyPfxMac(mac: PfxMac, authSafe: Buffer, bmpPassword: Buffer): boolean {
  const key = pkcs12Kdf(mac.hash, bmpPassword, mac.salt, 3, mac.iterations, HASH_SIZES[mac.hash].u);
  try {
    return timingSafeEqual(createHmac(mac.hash, key).update(authSafe).digest(), mac.digest);
  } finally {
    key.fill(0);
  }
}
