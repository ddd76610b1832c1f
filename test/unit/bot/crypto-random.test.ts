import { describe, expect, it } from 'vitest';
import { cryptoRandom, pooledCryptoRandom } from '../../../bot/runtime/crypto-random.js';

/** A fill that writes a running byte counter, so every byte handed out can be traced to its place in the stream. */
function countingFill() {
  let counter = 0;
  const fills: number[] = [];
  const fill = (pool: Buffer) => {
    fills.push(counter);
    for (let i = 0; i < pool.length; i++) pool[i] = counter++ & 0xff;
  };
  return { fill, fills };
}

describe('pooled crypto random', () => {
  it('hands out every pooled byte once, in order, refilling only when the pool cannot serve a request', () => {
    const { fill, fills } = countingFill();
    const random = pooledCryptoRandom(fill);
    const out: number[] = [];
    // 12-byte nonces: 341 fit in 4096 bytes; the 342nd needs a refill and the 4 bytes left over are never used.
    for (let i = 0; i < 342; i++) out.push(...random.bytes(12));
    expect(fills).toEqual([0, 4096]);
    const expected = [...Array.from({ length: 341 * 12 }, (_, i) => i & 0xff), ...Array.from({ length: 12 }, (_, i) => (4096 + i) & 0xff)];
    expect(out).toEqual(expected);
  });

  it('zeroes the bytes it handed out, so the pool never serves or keeps them twice', () => {
    let pool: Buffer | null = null;
    const random = pooledCryptoRandom((p) => {
      pool = p;
      p.fill(0xab);
    });
    const first = random.bytes(16);
    expect(first.equals(Buffer.alloc(16, 0xab))).toBe(true);
    expect(pool!.subarray(0, 16).equals(Buffer.alloc(16))).toBe(true);
    expect(pool!.subarray(16, 32).equals(Buffer.alloc(16, 0xab))).toBe(true);
    // The caller owns its copy: zeroing it does not touch the pool, and the next draw is fresh.
    first.fill(0);
    expect(random.bytes(16).equals(Buffer.alloc(16, 0xab))).toBe(true);
  });

  it('draws secrets larger than 16 bytes straight from the CSPRNG, never from the pool', () => {
    const { fill, fills } = countingFill();
    const random = pooledCryptoRandom(fill);
    const key = random.bytes(32);
    expect(fills).toEqual([]);
    expect(key).toHaveLength(32);
    expect(random.bytes(32).equals(key)).toBe(false);
  });

  it('gives distinct nonces across many refills of the real pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(cryptoRandom.bytes(12).toString('hex'));
    expect(seen.size).toBe(20_000);
    expect(cryptoRandom.bytes(0)).toHaveLength(0);
  });
});
