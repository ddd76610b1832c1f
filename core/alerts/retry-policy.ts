import type { Random } from '../ports/random.js';

/** How the outbox retries a channel that refused. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Eight attempts over about two hours: 30 s, 1, 2, 4, 8, 16, 32 min (each jittered), then `failed`. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 30_000, maxDelayMs: 60 * 60_000 };

/**
 * Delay before attempt `attempt + 1`: exponential backoff with "equal jitter" (half fixed, half
 * random), so replicas retrying the same channel spread out; never sooner than the channel's Retry-After.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: Random, retryAfterMs: number | null): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jitter = (random.bytes(4).readUInt32BE(0) / 0x1_0000_0000) * (exp / 2);
  return Math.max(Math.round(exp / 2 + jitter), retryAfterMs ?? 0);
}
