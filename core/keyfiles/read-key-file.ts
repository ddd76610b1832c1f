import { assertKeyFileSize } from './key-file-size.js';

/** Tells a `.byok` file (a JSON object) from a PFX (DER, which starts with 0x30), enforcing the 64 KiB cap for both. */
export function detectKeyFileFormat(bytes: Buffer): 'pfx' | 'byok' {
  assertKeyFileSize(bytes);
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // UTF-8 BOM
  while (i < bytes.length && isJsonWhitespace(bytes[i] as number)) i++;
  // Anything that is not JSON goes to the PFX parser, whose refusals are the most specific.
  return bytes[i] === 0x7b /* { */ ? 'byok' : 'pfx';
}

function isJsonWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}
