import { randomBytes, randomFillSync } from 'node:crypto';
import type { Random } from '../../core/ports/random.js';

// Requests up to this size are nonces and ids (public values; every secret dualkey draws is 32 bytes or more).
const POOLED_UP_TO = 16;
const POOL_BYTES = 4096;

/**
 * The OS CSPRNG, with small requests cut from a pool it refills. A data-plane put draws a 12-byte nonce,
 * and a call into OpenSSL right after the event loop wakes costs ~15 µs here (2 µs in a tight loop);
 * one refill serves ~340 nonces. Each pooled byte is handed out once and zeroed in the pool as it goes;
 * larger requests (keys, tokens) come straight from the CSPRNG and never pass through the pool.
 */
export function pooledCryptoRandom(fill: (pool: Buffer) => void = (pool) => randomFillSync(pool)): Random {
  const pool = Buffer.alloc(POOL_BYTES);
  let next = POOL_BYTES;
  return {
    bytes(n) {
      if (n > POOLED_UP_TO) return randomBytes(n);
      if (next + n > POOL_BYTES) {
        fill(pool);
        next = 0;
      }
      const out = Buffer.alloc(n);
      pool.copy(out, 0, next, next + n);
      pool.fill(0, next, next + n);
      next += n;
      return out;
    },
  };
}

/** The production randomness source. */
export const cryptoRandom: Random = pooledCryptoRandom();
