import { decodeDer, explicit, octets, oid, sequence, smallUint, type Asn1 } from './der.js';
import { MAX_PFX_ITEMS } from './limits.js';
import { OID } from './oids.js';
import { readPbeScheme, type PbeScheme } from './pbe-scheme.js';
import { pfxMalformed } from './pfx-errors.js';
import { readPfxMac, type PfxMac } from './pfx-mac.js';
import { readSafeBags, type SafeBag } from './safe-bags.js';

/** One ContentInfo of the AuthenticatedSafe: bags in the clear, or still encrypted. */
export type PfxSafe =
  | { kind: 'plain'; bags: SafeBag[] }
  | { kind: 'encrypted'; scheme: PbeScheme; ciphertext: Buffer };

/** A PFX as read without any password: every iteration count visible in the clear is already capped. */
export interface PfxStructure {
  mac: PfxMac | null;
  /** The AuthenticatedSafe bytes the MAC covers. */
  authSafe: Buffer;
  safes: PfxSafe[];
}

/** Reads the PFX container (RFC 7292 §4) down to its SafeBags, without running any KDF. */
export function readPfxStructure(bytes: Buffer): PfxStructure {
  const [version, authSafeInfo, macData] = sequence(decodeDer(bytes, 'the file'), 'the PFX', 2);
  if (smallUint(version, 'the PFX version') !== 3) {
    throw pfxMalformed('its PFX version is not 3');
  }
  const [contentType, content] = sequence(authSafeInfo, 'the PFX content', 1);
  const type = oid(contentType, 'the PFX content type');
  if (type !== OID.data) {
    // signedData = public-key integrity mode, which no mainstream exporter writes.
    throw pfxMalformed('it uses public-key integrity mode; only password integrity mode (a MAC) is supported', { contentType: type });
  }
  const authSafe = octets(explicit(content, 0, 'the PFX content'), 'the PFX content');
  const contentInfos = sequence(decodeDer(authSafe, 'the AuthenticatedSafe'), 'the AuthenticatedSafe');
  if (contentInfos.length > MAX_PFX_ITEMS) {
    throw pfxMalformed(`it holds more than ${MAX_PFX_ITEMS} ContentInfos`);
  }
  return {
    mac: macData === undefined ? null : readPfxMac(macData),
    authSafe,
    safes: contentInfos.map(readSafe),
  };
}

function readSafe(contentInfo: Asn1): PfxSafe {
  const [contentType, content] = sequence(contentInfo, 'a ContentInfo', 2);
  const type = oid(contentType, 'a ContentInfo type');
  if (type === OID.data) {
    return { kind: 'plain', bags: readSafeBags(octets(explicit(content, 0, 'a data ContentInfo'), 'a data ContentInfo')) };
  }
  if (type === OID.encryptedData) {
    const [, encryptedContentInfo] = sequence(explicit(content, 0, 'an EncryptedData'), 'an EncryptedData', 2);
    const [innerType, algorithm, encrypted] = sequence(encryptedContentInfo, 'an EncryptedContentInfo', 3);
    if (oid(innerType, 'an EncryptedContentInfo type') !== OID.data) {
      throw pfxMalformed('an encrypted safe does not hold data');
    }
    return { kind: 'encrypted', scheme: readPbeScheme(algorithm, 'an encrypted safe'), ciphertext: octets(encrypted, 'an encrypted safe', 0) };
  }
  throw pfxMalformed(`it holds a ${type === OID.envelopedData ? 'public-key encrypted (envelopedData)' : 'non-data'} safe; only password-encrypted or plain safes are supported`, { contentType: type });
}
