import type Forge from 'node-forge';
import { TAG, TAG_CLASS } from './asn1-tags.js';
import { forge } from './forge.js';

/** Small constructors for DER building with node-forge (values in, forge nodes out). */
type Node = Forge.asn1.Asn1;

export const der = {
  seq: (...items: Node[]): Node => forge().asn1.create(TAG_CLASS.UNIVERSAL, TAG.SEQUENCE, true, items),
  set: (...items: Node[]): Node => forge().asn1.create(TAG_CLASS.UNIVERSAL, TAG.SET, true, items),
  oid: (dotted: string): Node => forge().asn1.create(TAG_CLASS.UNIVERSAL, TAG.OID, false, forge().asn1.oidToDer(dotted).getBytes()),
  int: (n: number): Node => forge().asn1.create(TAG_CLASS.UNIVERSAL, TAG.INTEGER, false, forge().asn1.integerToDer(n).getBytes()),
  octets: (bytes: Buffer): Node => forge().asn1.create(TAG_CLASS.UNIVERSAL, TAG.OCTETSTRING, false, bytes.toString('binary')),
  bits: (bytes: Buffer): Node => forge().asn1.create(TAG_CLASS.UNIVERSAL, TAG.BITSTRING, false, `\u0000${bytes.toString('binary')}`),
  nul: (): Node => forge().asn1.create(TAG_CLASS.UNIVERSAL, TAG.NULL, false, ''),
  /** BMPString: forge writes each UTF-16 code unit big-endian. */
  bmp: (text: string): Node => forge().asn1.create(TAG_CLASS.UNIVERSAL, TAG.BMPSTRING, false, text),
  explicit0: (item: Node): Node => forge().asn1.create(TAG_CLASS.CONTEXT_SPECIFIC, 0, true, [item]),
  /** DER bytes of a node. */
  encode: (node: Node): Buffer => Buffer.from(forge().asn1.toDer(node).getBytes(), 'binary'),
  /** Wraps already-encoded DER so it can be embedded as a node. */
  decode: (bytes: Buffer): Node => forge().asn1.fromDer(bytes.toString('binary')),
};
