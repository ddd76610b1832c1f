import type { EngineDeps } from '../engine-deps.js';
import type { Channel, OutboxDelivery } from '../model/outbox-message.js';
import type { AlertChannel, DeliveryResult } from '../ports/alert-channel.js';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry-policy.js';

/** Options of one delivery pass. */
export interface DeliveryOptions {
  channels: Partial<Record<Channel, AlertChannel>>;
  policy?: RetryPolicy;
  /** How long a claimed row belongs to this worker; a worker that dies releases it when the lease ends. */
  leaseMs?: number;
  batchSize?: number;
}

/** What one pass did. */
export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
}

/** Longer than any single send: a row whose lease ran out belonged to a worker that died. */
export const DEFAULT_LEASE_MS = 2 * 60_000;

/**
 * Delivers every due outbox row once: claim (row locks, skipping other workers' rows), send outside
 * the transaction, then mark sent — or reschedule with backoff, or mark failed after the last attempt.
 * A worker that dies after sending leaves the row `sending`; after its lease, the row is sent again
 * under the same idempotency key (the row id), which the channel uses to drop the repeat.
 */
export async function deliverOutbox(deps: EngineDeps, opts: DeliveryOptions): Promise<DeliveryReport> {
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0 };
  for (;;) {
    const now = deps.clock.now();
    const claimed = await deps.uow.run((store) => store.outbox.claim(now, new Date(now.getTime() + (opts.leaseMs ?? DEFAULT_LEASE_MS)), opts.batchSize ?? 50));
    if (claimed.length === 0) return report;
    for (const row of claimed) {
      const outcome = await deliverRow(deps, opts.channels, row);
      await deps.steps.reached('outbox:sent');
      await settle(deps, policy, row, outcome, report);
    }
  }
}

async function deliverRow(deps: EngineDeps, channels: DeliveryOptions['channels'], row: OutboxDelivery): Promise<DeliveryResult> {
  const channel = channels[row.channel];
  if (!channel) return { ok: false, retryable: false, retryAfterMs: null, error: `the ${row.channel} channel is not configured` };
  const { recipient, previous } = await deps.uow.run(async (store) => ({
    recipient: await store.admins.byId(row.adminId),
    previous: row.updateOf ? await store.outbox.byId(row.updateOf) : null,
  }));
  if (!recipient) return { ok: false, retryable: false, retryAfterMs: null, error: 'the recipient is no longer an admin' };
  const alert = { idempotencyKey: row.id, recipient, message: row.message, uncertain: row.uncertain === true };
  try {
    if (row.kind === 'update' && previous?.state === 'sent' && previous.platformRef) return await channel.update(alert, previous.platformRef);
    return await channel.deliver(alert);
  } catch (e) {
    return { ok: false, retryable: true, retryAfterMs: null, error: e instanceof Error ? e.message : String(e) };
  }
}

async function settle(deps: EngineDeps, policy: RetryPolicy, row: OutboxDelivery, outcome: DeliveryResult, report: DeliveryReport): Promise<void> {
  const now = deps.clock.now();
  if (outcome.ok) {
    await deps.uow.run((store) => store.outbox.markSent(row.id, row.attempts, outcome.platformRef, now));
    report.sent++;
    return;
  }
  const error = outcome.error.slice(0, 500);
  if (!outcome.retryable || row.attempts >= policy.maxAttempts) {
    await deps.uow.run((store) => store.outbox.markUnsent(row.id, row.attempts, error, { failed: true }));
    deps.logger.warn('outbox: delivery failed for good', { row: row.id, channel: row.channel, attempts: row.attempts, error });
    report.failed++;
    return;
  }
  const retryAt = new Date(now.getTime() + retryDelayMs(policy, row.attempts, deps.random, outcome.retryAfterMs));
  await deps.uow.run((store) => store.outbox.markUnsent(row.id, row.attempts, error, { retryAt }));
  report.retried++;
}
