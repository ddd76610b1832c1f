/**
 * A tiny DER rewriter for hostile-input tests: finds INTEGERs by value anywhere in a PFX (also
 * inside OCTET STRINGs that themselves hold DER, as PKCS#12 nests them) and re-encodes every
 * enclosing length after a rewrite. Independent of the code under test.
 */
interface Tlv {
  tag: number;
  content: Buffer;
  children: Tlv[] | null; // constructed, or an OCTET STRING whose content is DER
}

function readLength(buf: Buffer, at: number): { length: number; next: number } {
  const first = buf[at] as number;
  if (first < 0x80) return { length: first, next: at + 1 };
  const n = first & 0x7f;
  if (n === 0 || n > 4 || at + 1 + n > buf.length) throw new Error('unsupported length');
  return { length: buf.readUIntBE(at + 1, n), next: at + 1 + n };
}

function parseAll(buf: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let at = 0;
  while (at < buf.length) {
    const tag = buf[at] as number;
    const { length, next } = readLength(buf, at + 1);
    if (next + length > buf.length) throw new Error('truncated');
    const content = buf.subarray(next, next + length);
    let children: Tlv[] | null = null;
    if (tag & 0x20) {
      children = parseAll(content);
    } else if (tag === 0x04 && content.length > 1 && content[0] === 0x30) {
      try {
        children = parseAll(content);
      } catch {
        children = null; // opaque bytes (ciphertext), not DER
      }
    }
    out.push({ tag, content, children });
    at = next + length;
  }
  return out;
}

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function encode(tlv: Tlv): Buffer {
  const content = tlv.children ? Buffer.concat(tlv.children.map(encode)) : tlv.content;
  return Buffer.concat([Buffer.from([tlv.tag]), encodeLength(content.length), content]);
}

function integerBytes(value: number): Buffer {
  const hex = value.toString(16);
  const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  return (bytes[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

function integersEqual(tree: Tlv[], value: number, found: Tlv[] = []): Tlv[] {
  const want = integerBytes(value);
  for (const tlv of tree) {
    if (tlv.tag === 0x02 && tlv.content.equals(want)) found.push(tlv);
    if (tlv.children) integersEqual(tlv.children, value, found);
  }
  return found;
}

/** How many INTEGERs equal `value` in `der` (in document order, nested DER included). */
export function countIntegers(der: Buffer, value: number): number {
  return integersEqual(parseAll(der), value).length;
}

/** `der` with the `occurrence`-th INTEGER equal to `from` rewritten to `to` (or every one when occurrence is 'all'). */
export function patchInteger(der: Buffer, from: number, to: number, occurrence: number | 'all'): Buffer {
  const tree = parseAll(der);
  const sites = integersEqual(tree, from);
  const chosen = occurrence === 'all' ? sites : [sites[occurrence]];
  if (chosen.length === 0 || chosen.some((s) => s === undefined)) throw new Error(`no INTEGER ${from} #${occurrence}`);
  for (const site of chosen as Tlv[]) site.content = integerBytes(to);
  return Buffer.concat(tree.map(encode));
}

/**
 * Re-encodes a DER PFX the way some BER writers do: indefinite lengths on the outer structure and
 * the AuthenticatedSafe OCTET STRING split into constructed 1000-byte chunks (the MAC still holds,
 * as it covers the concatenated octets).
 */
export function pfxToBer(der: Buffer): Buffer {
  const [pfx] = parseAll(der);
  const [version, authSafeInfo, macData] = pfx!.children!;
  const [contentType, explicit0] = authSafeInfo!.children!;
  const octets = explicit0!.children![0]!.content;
  const chunks: Buffer[] = [];
  for (let at = 0; at < octets.length; at += 1000) {
    const chunk = octets.subarray(at, at + 1000);
    chunks.push(Buffer.concat([Buffer.from([0x04]), encodeLength(chunk.length), chunk]));
  }
  const indefinite = (tag: number, ...parts: Buffer[]): Buffer => Buffer.concat([Buffer.from([tag, 0x80]), ...parts, Buffer.from([0, 0])]);
  return indefinite(0x30,
    encode(version!),
    indefinite(0x30, encode(contentType!), indefinite(0xa0, indefinite(0x24, ...chunks))),
    encode(macData!));
}
