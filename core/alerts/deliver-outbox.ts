import type { EngineDeps } from '../engine-deps.js';
import { endDrain } from '../hooks/end-drain.js';
import type { Admin } from '../model/admin.js';
import type { Channel, OutboxDelivery } from '../model/outbox-message.js';
import type { AlertChannel, DeliveryResult } from '../ports/alert-channel.js';
import type { Store } from '../ports/store.js';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { runPool } from './run-pool.js';

/** Options of one delivery pass. */
export interface DeliveryOptions {
  channels: Partial<Record<Channel, AlertChannel>>;
  policy?: RetryPolicy;
  /** How long a claimed row belongs to this worker; a worker that dies releases it when the lease ends. */
  leaseMs?: number;
  batchSize?: number;
  /** Rows of one claimed batch sent at once (channels pool their connections). */
  concurrency?: number;
  /** Claim loops run side by side, so one loop's database work overlaps another's sends. */
  workers?: number;
}

/** What one pass did. */
export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
}

/** Longer than any single send: a row whose lease ran out belonged to a worker that died. */
export const DEFAULT_LEASE_MS = 2 * 60_000;

/** What a batch needs besides its rows, read in one transaction. */
interface BatchContext {
  admins: Map<string, Admin | null>;
  previous: Map<string, OutboxDelivery | null>;
  stale: Set<string>;
  /** Instances unlocked again since an `instance.locking` event about them was written. */
  unlocked: Set<string>;
}

/**
 * Delivers every due outbox row once: claim a batch (row locks, skipping other workers' rows), send it
 * outside any transaction, then settle the batch — sent, rescheduled with backoff, or failed after the
 * last attempt.
 * A worker that dies after sending leaves the row `sending`; after its lease, the row is sent again
 * under the same idempotency key (the row id), which the channel uses to drop the repeat.
 * A reminder or a k-of-n approval count for a request decided meanwhile is skipped, and so are updates of a skipped row.
 */
export async function deliverOutbox(deps: EngineDeps, opts: DeliveryOptions): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0, skipped: 0 };
  const loops = await Promise.allSettled(Array.from({ length: Math.max(1, opts.workers ?? 2) }, () => deliveryLoop(deps, opts, report)));
  const failed = loops.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failed) throw failed.reason;
  return report;
}

/** Claims and delivers batches until none is due (other loops and replicas skip the rows it holds). */
async function deliveryLoop(deps: EngineDeps, opts: DeliveryOptions, report: DeliveryReport): Promise<void> {
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;
  for (;;) {
    const now = deps.clock.now();
    const claimed = await deps.uow.run((store) => store.outbox.claim(now, new Date(now.getTime() + (opts.leaseMs ?? DEFAULT_LEASE_MS)), opts.batchSize ?? 50));
    if (claimed.length === 0) return;
    const ctx = await loadContext(deps, claimed);
    await deps.steps.reached('outbox:claimed');
    const outcomes = new Map<OutboxDelivery, Outcome>();
    await runPool(claimed, opts.concurrency ?? 8, async (row) => {
      outcomes.set(row, await deliverRow(opts.channels, row, ctx));
      await deps.steps.reached('outbox:sent');
    });
    // One transaction settles the whole batch: per-row commits would cost as much as the sends.
    await deps.uow.run(async (store) => {
      for (const [row, outcome] of outcomes) await settle(store, deps, policy, row, outcome, report);
    });
    await endAcknowledgedDrains(deps, outcomes);
  }
}

/** An offline hook that answered 2xx to `instance.locking` has stopped its database: the drain ends now. */
async function endAcknowledgedDrains(deps: EngineDeps, outcomes: Map<OutboxDelivery, Outcome>): Promise<void> {
  for (const [row, outcome] of outcomes) {
    if (row.channel !== 'webhook' || row.message.event !== 'instance.locking' || !row.address || !('ok' in outcome) || !outcome.ok) continue;
    // A failure here leaves the drain to its deadline (the scheduler ends it), so it must not stop delivery.
    const drainUntil = row.message.body?.drainUntil;
    if (!drainUntil) continue;
    await endDrain(deps, row.address, 'hook_acknowledged', new Date(drainUntil)).catch((e: unknown) =>
      deps.logger.error('offline hook: ending the drain failed; the deadline will end it', { row: row.id, error: e instanceof Error ? e.message : String(e) }),
    );
  }
}

async function loadContext(deps: EngineDeps, rows: OutboxDelivery[]): Promise<BatchContext> {
  return deps.uow.run(async (store) => {
    const ctx: BatchContext = { admins: new Map(), previous: new Map(), stale: new Set(), unlocked: new Set() };
    // One lookup for the batch's recipients (a key-change alert puts 50 different admins in each batch).
    const recipients = [...new Set(rows.flatMap((r) => (r.adminId ? [r.adminId] : [])))];
    const found = new Map((await store.admins.byIds(recipients)).map((a) => [a.id, a]));
    for (const id of recipients) ctx.admins.set(id, found.get(id) ?? null);
    for (const id of new Set(rows.flatMap((r) => (r.updateOf ? [r.updateOf] : [])))) ctx.previous.set(id, await store.outbox.byId(id));
    // A k-of-n count ("1 of 2 approvals") is stale like a reminder once the request is decided: it must not put buttons back.
    for (const id of new Set(rows.filter((r) => OPEN_REQUEST_EVENTS.has(r.message.event) && r.requestId).map((r) => r.requestId!))) {
      if ((await store.requests.byId(id))?.state !== 'pending') ctx.stale.add(id);
    }
    for (const id of new Set(rows.filter((r) => r.channel === 'webhook' && r.message.event === 'instance.locking' && r.address).map((r) => r.address!))) {
      if ((await store.instances.byId(id))?.state === 'active') ctx.unlocked.add(id);
    }
    return ctx;
  });
}

type Outcome = DeliveryResult | { skipped: string };

/** Messages about a request that only make sense while it is pending. */
const OPEN_REQUEST_EVENTS: ReadonlySet<string> = new Set(['reminder', 'approval_recorded']);

async function deliverRow(channels: DeliveryOptions['channels'], row: OutboxDelivery, ctx: BatchContext): Promise<Outcome> {
  const previous = row.updateOf ? ctx.previous.get(row.updateOf) : null;
  if (OPEN_REQUEST_EVENTS.has(row.message.event) && row.requestId && ctx.stale.has(row.requestId)) return { skipped: `the request was decided before this ${row.message.event === 'reminder' ? 'reminder' : 'approval count'} went out` };
  // A late retry must not tell a receiver to stop a database that has been unlocked since.
  if (row.message.event === 'instance.locking' && row.address && ctx.unlocked.has(row.address)) return { skipped: 'the instance was unlocked before this lock event went out' };
  if (previous?.state === 'skipped') return { skipped: 'the message it updates was never sent' };
  const channel = channels[row.channel];
  if (!channel) return { ok: false, retryable: false, retryAfterMs: null, error: `the ${row.channel} channel is not configured` };
  const recipient = row.adminId ? (ctx.admins.get(row.adminId) ?? null) : null;
  if (row.adminId && !recipient) return { ok: false, retryable: false, retryAfterMs: null, error: 'the recipient is no longer an admin' };
  const alert = { idempotencyKey: row.id, recipient, address: row.address, message: row.message, uncertain: row.uncertain === true };
  try {
    if (row.kind === 'update' && previous?.state === 'sent' && previous.platformRef) return await channel.update(alert, previous.platformRef);
    return await channel.deliver(alert);
  } catch (e) {
    return { ok: false, retryable: true, retryAfterMs: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * A count update ("1 of 2 approvals", with buttons) claimed while its request was pending can reach the platform after
 * the decision's update of the same message, putting the buttons back. Once it is sent and the request is decided, the
 * decision's updates of that message go out again, so the last edit is always the decision.
 */
async function resendDecisionIfOverwritten(store: Store, row: OutboxDelivery, now: Date): Promise<void> {
  if (row.kind !== 'update' || row.message.event !== 'approval_recorded' || !row.updateOf || !row.requestId) return;
  if ((await store.requests.byId(row.requestId))?.state === 'pending') return;
  await store.outbox.resendDecisionUpdates(row.updateOf, now);
}

async function settle(store: Store, deps: EngineDeps, policy: RetryPolicy, row: OutboxDelivery, outcome: Outcome, report: DeliveryReport): Promise<void> {
  const now = deps.clock.now();
  if ('skipped' in outcome) {
    await store.outbox.markUnsent(row.id, row.attempts, outcome.skipped, { skipped: true });
    report.skipped++;
    return;
  }
  if (outcome.ok) {
    await store.outbox.markSent(row.id, row.attempts, outcome.platformRef, now);
    report.sent++;
    await resendDecisionIfOverwritten(store, row, now);
    return;
  }
  const error = outcome.error.slice(0, 500);
  if (!outcome.retryable || row.attempts >= policy.maxAttempts) {
    await store.outbox.markUnsent(row.id, row.attempts, error, { failed: true });
    deps.logger.warn('outbox: delivery failed for good', { row: row.id, channel: row.channel, attempts: row.attempts, error });
    report.failed++;
    return;
  }
  const retryAt = new Date(now.getTime() + retryDelayMs(policy, row.attempts, deps.random, outcome.retryAfterMs));
  await store.outbox.markUnsent(row.id, row.attempts, error, { retryAt });
  report.retried++;
}
