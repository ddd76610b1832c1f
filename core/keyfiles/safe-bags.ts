import { decodeDer, explicit, octets, oid, sequence, type Asn1 } from './der.js';
import { MAX_PFX_ITEMS, MAX_SAFE_CONTENTS_NESTING } from './limits.js';
import { OID } from './oids.js';
import { readPbeScheme, type PbeScheme } from './pbe-scheme.js';
import { pfxMalformed } from './pfx-errors.js';

/** What a SafeBag holds, as far as key-file validation cares. */
export type SafeBag =
  | { kind: 'key' } // plain keyBag: a private key stored without encryption
  | { kind: 'shrouded'; scheme: PbeScheme; ciphertext: Buffer } // pkcs8ShroudedKeyBag
  | { kind: 'other' }; // certificates, CRLs, secrets: not needed here

/**
 * Reads a SafeContents (SEQUENCE OF SafeBag), flattening nested safeContentsBags. Shrouded key
 * bags' encryption parameters, iteration count included, are read and capped here, before any KDF.
 */
export function readSafeBags(safeContentsDer: Buffer): SafeBag[] {
  return readBagList(decodeDer(safeContentsDer, 'a SafeContents'), 0);
}

function readBagList(safeContents: Asn1, nesting: number): SafeBag[] {
  if (nesting > MAX_SAFE_CONTENTS_NESTING) {
    throw pfxMalformed(`its SafeContents are nested more than ${MAX_SAFE_CONTENTS_NESTING} levels deep`);
  }
  const bags: SafeBag[] = [];
  for (const bag of sequence(safeContents, 'a SafeContents')) {
    const [bagId, bagValue] = sequence(bag, 'a SafeBag', 2);
    const type = oid(bagId, 'a SafeBag type');
    if (type === OID.keyBag) {
      bags.push({ kind: 'key' });
    } else if (type === OID.pkcs8ShroudedKeyBag) {
      const [algorithm, encrypted] = sequence(explicit(bagValue, 0, 'a shrouded key bag'), 'an EncryptedPrivateKeyInfo', 2);
      bags.push({ kind: 'shrouded', scheme: readPbeScheme(algorithm, 'the shrouded key bag'), ciphertext: octets(encrypted, 'an encrypted private key') });
    } else if (type === OID.safeContentsBag) {
      bags.push(...readBagList(explicit(bagValue, 0, 'a nested SafeContents'), nesting + 1));
    } else {
      bags.push({ kind: 'other' });
    }
    if (bags.length > MAX_PFX_ITEMS) {
      throw pfxMalformed(`it holds more than ${MAX_PFX_ITEMS} bags`);
    }
  }
  return bags;
}
