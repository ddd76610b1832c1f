import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from '../../../core/alerts/retry-policy.js';
import type { Random } from '../../../core/ports/random.js';

const policy: RetryPolicy = { maxAttempts: 8, baseDelayMs: 1_000, maxDelayMs: 60_000 };
/** A Random whose every byte is `byte`: 0x00 is the least jitter, 0xff the most. */
const fixed = (byte: number): Random => ({ bytes: (n) => Buffer.alloc(n, byte) });
const real: Random = { bytes: (n) => randomBytes(n) };

describe('retry delays', () => {
  it('doubles with every attempt: half of it fixed, the other half jitter', () => {
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(policy, a, fixed(0), null))).toEqual([500, 1_000, 2_000, 4_000, 8_000]);
    // The largest jitter stops just short of the full exponential delay.
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(policy, a, fixed(0xff), null))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it('keeps random jitter within [delay / 2, delay] and actually spreads retries', () => {
    for (const attempt of [1, 3, 6]) {
      const exp = policy.baseDelayMs * 2 ** (attempt - 1);
      const samples = Array.from({ length: 500 }, () => retryDelayMs(policy, attempt, real, null));
      for (const d of samples) {
        expect(d).toBeGreaterThanOrEqual(exp / 2);
        expect(d).toBeLessThanOrEqual(exp);
      }
      // Replicas retrying together must not retry in lockstep.
      expect(new Set(samples).size).toBeGreaterThan(50);
    }
  });

  it('caps the delay at maxDelayMs however many attempts were made', () => {
    for (const attempt of [7, 8, 20, 64]) {
      expect(retryDelayMs(policy, attempt, fixed(0xff), null)).toBeLessThanOrEqual(policy.maxDelayMs);
      expect(retryDelayMs(policy, attempt, fixed(0), null)).toBe(policy.maxDelayMs / 2);
    }
  });

  it("never retries before the channel's Retry-After, even past the cap, and ignores a shorter one", () => {
    expect(retryDelayMs(policy, 1, fixed(0xff), 45_000)).toBe(45_000);
    expect(retryDelayMs(policy, 20, fixed(0), 2 * 60 * 60_000)).toBe(2 * 60 * 60_000);
    expect(retryDelayMs(policy, 4, fixed(0), 10)).toBe(4_000);
    expect(retryDelayMs(policy, 4, fixed(0), 0)).toBe(4_000);
  });

  it('gives the default policy eight attempts over roughly two hours at most', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBe(8);
    // Delays follow attempts 1..7; the eighth failure is final.
    const worst = Array.from({ length: 7 }, (_, i) => retryDelayMs(DEFAULT_RETRY_POLICY, i + 1, fixed(0xff), null));
    expect(worst[0]).toBe(30_000);
    expect(worst[6]).toBe(32 * 60_000);
    expect(worst.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2 * 60 * 60_000);
  });
});
