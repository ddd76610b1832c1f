import type Forge from 'node-forge';

/** ASN.1 tag classes (X.690 §8.1.2.2) as node-forge's enum values, usable before forge is loaded. */
export const TAG_CLASS = { UNIVERSAL: 0x00 as Forge.asn1.Class, CONTEXT_SPECIFIC: 0x80 as Forge.asn1.Class } as const;

/** The universal tag numbers the key-file code uses (X.690 §8.4), as node-forge's enum values. */
export const TAG = {
  INTEGER: 2 as Forge.asn1.Type,
  BITSTRING: 3 as Forge.asn1.Type,
  OCTETSTRING: 4 as Forge.asn1.Type,
  NULL: 5 as Forge.asn1.Type,
  OID: 6 as Forge.asn1.Type,
  UTF8: 12 as Forge.asn1.Type,
  SEQUENCE: 16 as Forge.asn1.Type,
  SET: 17 as Forge.asn1.Type,
  BMPSTRING: 30 as Forge.asn1.Type,
} as const;
