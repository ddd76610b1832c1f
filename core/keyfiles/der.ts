import type Forge from 'node-forge';
import { TAG, TAG_CLASS } from './asn1-tags.js';
import { forge } from './forge.js';
import { MAX_DER_DEPTH } from './limits.js';
import { pfxMalformed } from './pfx-errors.js';

/** A decoded ASN.1 node (node-forge's representation). */
export type Asn1 = Forge.asn1.Asn1;


/** Decodes DER/BER strictly (lengths checked, no trailing bytes, depth capped); any failure is `keyfile_malformed`. */
export function decodeDer(bytes: Buffer, what: string): Asn1 {
  try {
    // forge's typings only know the boolean form; the options object is what bounds depth.
    const options = { strict: true, parseAllBytes: true, decodeBitStrings: false, maxDepth: MAX_DER_DEPTH } as unknown as boolean;
    return forge().asn1.fromDer(forge().util.createBuffer(bytes.toString('binary')), options);
  } catch {
    throw pfxMalformed(`${what} is not valid DER (truncated, damaged or not a PKCS#12 file)`);
  }
}

/** The children of a universal SEQUENCE with at least `min` elements. */
export function sequence(node: Asn1 | undefined, what: string, min = 0): Asn1[] {
  if (!node || node.tagClass !== TAG_CLASS.UNIVERSAL || node.type !== TAG.SEQUENCE || !Array.isArray(node.value) || node.value.length < min) {
    throw pfxMalformed(`${what} is not the expected SEQUENCE`);
  }
  return node.value;
}

/** The dotted text of a universal OBJECT IDENTIFIER. */
export function oid(node: Asn1 | undefined, what: string): string {
  if (!node || node.tagClass !== TAG_CLASS.UNIVERSAL || node.type !== TAG.OID || typeof node.value !== 'string' || node.value.length === 0) {
    throw pfxMalformed(`${what} is not an object identifier`);
  }
  try {
    return forge().asn1.derToOid(node.value);
  } catch {
    throw pfxMalformed(`${what} is not an object identifier`);
  }
}

/** The bytes of an OCTET STRING, universal or `[tag] IMPLICIT`, primitive or BER-constructed (chunked). */
export function octets(node: Asn1 | undefined, what: string, implicitTag?: number): Buffer {
  const tagOk = implicitTag === undefined
    ? node?.tagClass === TAG_CLASS.UNIVERSAL && node.type === TAG.OCTETSTRING
    : node?.tagClass === TAG_CLASS.CONTEXT_SPECIFIC && node.type === implicitTag;
  if (!node || !tagOk) {
    throw pfxMalformed(`${what} is not an OCTET STRING`);
  }
  if (typeof node.value === 'string') {
    return Buffer.from(node.value, 'binary');
  }
  // BER chunked form: the chunks are universal OCTET STRINGs (depth already bounded by decodeDer).
  return Buffer.concat(node.value.map((chunk) => octets(chunk, what)));
}

/** The single child of a `[tag] EXPLICIT` wrapper. */
export function explicit(node: Asn1 | undefined, tag: number, what: string): Asn1 {
  if (!node || node.tagClass !== TAG_CLASS.CONTEXT_SPECIFIC || node.type !== tag || !Array.isArray(node.value) || node.value.length !== 1) {
    throw pfxMalformed(`${what} is not the expected [${tag}] EXPLICIT element`);
  }
  return node.value[0] as Asn1;
}

/** A non-negative INTEGER that fits in 32 bits; larger or negative values are refused, never coerced. */
export function smallUint(node: Asn1 | undefined, what: string): number {
  if (!node || node.tagClass !== TAG_CLASS.UNIVERSAL || node.type !== TAG.INTEGER || typeof node.value !== 'string' || node.value.length === 0) {
    throw pfxMalformed(`${what} is not an INTEGER`);
  }
  const bytes = Buffer.from(node.value, 'binary');
  if ((bytes[0] ?? 0) & 0x80) {
    throw pfxMalformed(`${what} is negative`);
  }
  const firstNonZero = bytes.findIndex((b) => b !== 0);
  const significant = firstNonZero === -1 ? Buffer.alloc(0) : bytes.subarray(firstNonZero);
  if (significant.length > 4) {
    throw pfxMalformed(`${what} is absurdly large`);
  }
  return significant.length === 0 ? 0 : significant.readUIntBE(0, significant.length);
}

/** True when `node` is a universal element of `type` (e.g. to skip an optional NULL). */
export function isUniversal(node: Asn1 | undefined, type: number): boolean {
  return node?.tagClass === TAG_CLASS.UNIVERSAL && node.type === type;
}
