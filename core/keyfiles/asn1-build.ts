import forge from 'node-forge';

/** Small constructors for DER building with node-forge (values in, forge nodes out). */
const { Class, Type } = forge.asn1;
type Node = forge.asn1.Asn1;

export const der = {
  seq: (...items: Node[]): Node => forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items),
  set: (...items: Node[]): Node => forge.asn1.create(Class.UNIVERSAL, Type.SET, true, items),
  oid: (dotted: string): Node => forge.asn1.create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(dotted).getBytes()),
  int: (n: number): Node => forge.asn1.create(Class.UNIVERSAL, Type.INTEGER, false, forge.asn1.integerToDer(n).getBytes()),
  octets: (bytes: Buffer): Node => forge.asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes.toString('binary')),
  bits: (bytes: Buffer): Node => forge.asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, `\u0000${bytes.toString('binary')}`),
  nul: (): Node => forge.asn1.create(Class.UNIVERSAL, Type.NULL, false, ''),
  /** BMPString: forge writes each UTF-16 code unit big-endian. */
  bmp: (text: string): Node => forge.asn1.create(Class.UNIVERSAL, Type.BMPSTRING, false, text),
  explicit0: (item: Node): Node => forge.asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [item]),
  /** DER bytes of a node. */
  encode: (node: Node): Buffer => Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary'),
  /** Wraps already-encoded DER so it can be embedded as a node. */
  decode: (bytes: Buffer): Node => forge.asn1.fromDer(bytes.toString('binary')),
};
