import * as crypto from 'node:crypto';
import { HASH_SIZES, type HashName } from './oids.js';

/** One-shot native digest: crypto.hash (node ≥ 20.12) halves the per-call cost of createHash in the KDF loop. */
const digest: (name: HashName, data: Buffer) => Buffer = typeof crypto.hash === 'function'
  ? (name, data) => crypto.hash(name, data, 'buffer')
  : (name, data) => crypto.createHash(name).update(data).digest();

/** Purpose byte ID of RFC 7292 App. B.3. */
export type Pkcs12KdfPurpose = 1 | 2 | 3; // 1 = key, 2 = IV, 3 = MAC key

/** Hash iterations `pkcs12Kdf` runs for an `n`-byte output: one chain of `iterations` per u-byte block. */
export function pkcs12KdfCost(hashName: HashName, iterations: number, n: number): number {
  return Math.ceil(n / HASH_SIZES[hashName].u) * iterations;
}

/**
 * The PKCS#12 key derivation function (RFC 7292 App. B.2) on node's native hashes: forge's
 * pure-JS version is ~2.5× slower (≈260 ms for the 100 000 MAC iterations we write).
 * `password` is already BMPString-encoded with its two-byte terminator (see `bmpPassword`).
 */
export function pkcs12Kdf(hashName: HashName, password: Buffer, salt: Buffer, id: Pkcs12KdfPurpose, iterations: number, n: number): Buffer {
  const { u, v } = HASH_SIZES[hashName];
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([repeatToBlocks(salt, v), repeatToBlocks(password, v)]);
  const blocks: Buffer[] = [];
  for (let i = 0, c = Math.ceil(n / u); i < c; i++) {
    let A = digest(hashName, Buffer.concat([D, I]));
    for (let r = 1; r < iterations; r++) {
      A = digest(hashName, A);
    }
    blocks.push(A);
    if (i + 1 < c) {
      addBlocks(I, repeatToBlocks(A, v), v);
    }
  }
  I.fill(0);
  const out = Buffer.concat(blocks);
  blocks.forEach((b) => b.fill(0));
  return out.subarray(0, n);
}

/** BMPString (UTF-16BE) with the two-byte NUL terminator, as the PKCS#12 KDF expects passwords. */
export function bmpPassword(password: string): Buffer {
  const le = Buffer.from(`${password}\u0000`, 'utf16le');
  return le.swap16();
}

/** `data` repeated to fill v·⌈len/v⌉ bytes (empty in, empty out). */
function repeatToBlocks(data: Buffer, v: number): Buffer {
  const out = Buffer.alloc(v * Math.ceil(data.length / v));
  for (let i = 0; i < out.length; i++) out[i] = data[i % data.length] as number;
  return out;
}

/** I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block I_j of I, in place. */
function addBlocks(I: Buffer, B: Buffer, v: number): void {
  for (let j = 0; j < I.length; j += v) {
    let carry = 1;
    for (let k = v - 1; k >= 0; k--) {
      const sum = (I[j + k] as number) + (B[k] as number) + carry;
      I[j + k] = sum & 0xff;
      carry = sum >> 8;
    }
  }
}
