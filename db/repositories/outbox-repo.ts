import { and, asc, desc, eq, inArray, isNull, lte, notExists, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { OutboxDelivery } from '../../core/model/outbox-message.js';
import type { OutboxRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { outbox } from '../schema/index.js';

type Row = typeof outbox.$inferSelect;

// The row an update-row points at, in the claim's NOT EXISTS subquery.
const original = alias(outbox, 'outbox_original');

/** The transactional outbox over drizzle: rows are claimed with SKIP LOCKED and leases, and settled by compare-and-swap on the attempt. */
export function outboxRepo(tx: Drizzle): OutboxRepo {
  return {
    async insert(messages) {
      if (messages.length === 0) return 0;
      const inserted = await tx
        .insert(outbox)
        .values(messages.map((m) => ({ ...m, state: 'pending' as const, attempts: 0, nextAttemptAt: m.createdAt, leaseUntil: null, lastError: null, sentAt: null, platformRef: null })))
        // A reminder or digest another replica already wrote (same dedupe key) is skipped, not an error.
        .onConflictDoNothing({ target: outbox.dedupeKey })
        .returning({ id: outbox.id });
      return inserted.length;
    },
    async listForEvent(eventId) {
      const rows = await tx.select().from(outbox).where(eq(outbox.eventId, eventId)).orderBy(asc(outbox.createdAt), asc(outbox.id));
      return rows.map((r) => toDelivery(r));
    },
    async byId(id) {
      const [row] = await tx.select().from(outbox).where(eq(outbox.id, id));
      return row ? toDelivery(row) : null;
    },
    async claim(now, leaseUntil, limit) {
      // Step 1: lock the due rows, skipping those another worker's open claim holds.
      const due = await tx
        .select({ id: outbox.id, state: outbox.state })
        .from(outbox)
        .where(
          and(
            or(and(eq(outbox.state, 'pending'), lte(outbox.nextAttemptAt, now)), and(eq(outbox.state, 'sending'), lte(outbox.leaseUntil, now))),
            // An update waits until its original is settled, so it never overtakes it. An original that no longer
            // exists cannot block it: the delivery loop then sends the update as a new message.
            or(eq(outbox.kind, 'deliver'), isNull(outbox.updateOf), notExists(tx.select({ one: sql`1` }).from(original).where(and(eq(original.id, outbox.updateOf), inArray(original.state, ['pending', 'sending']))))),
          ),
        )
        .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
        .limit(limit)
        .for('update', { of: outbox, skipLocked: true });
      if (due.length === 0) return [];
      // Step 2: take them over; the new attempt number is the fencing token of this claim.
      const rows = await tx
        .update(outbox)
        .set({ state: 'sending', attempts: sql`${outbox.attempts} + 1`, leaseUntil })
        .where(
          inArray(
            outbox.id,
            due.map((d) => d.id),
          ),
        )
        .returning();
      // A row that was `sending` belonged to a worker whose lease ran out: it may have been sent already.
      const takenOver = new Set(due.filter((d) => d.state === 'sending').map((d) => d.id));
      return rows
        .map((r) => toDelivery(r, takenOver.has(r.id)))
        .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    async markSent(id, attempt, platformRef, at) {
      const rows = await tx
        .update(outbox)
        .set({ state: 'sent', platformRef, sentAt: at, leaseUntil: null, lastError: null })
        .where(and(eq(outbox.id, id), eq(outbox.state, 'sending'), eq(outbox.attempts, attempt)))
        .returning({ id: outbox.id });
      return rows.length > 0;
    },
    async markUnsent(id, attempt, error, next) {
      const set = 'failed' in next ? { state: 'failed' as const } : 'skipped' in next ? { state: 'skipped' as const } : { state: 'pending' as const, nextAttemptAt: next.retryAt };
      const rows = await tx
        .update(outbox)
        .set({ ...set, leaseUntil: null, lastError: error })
        .where(and(eq(outbox.id, id), eq(outbox.state, 'sending'), eq(outbox.attempts, attempt)))
        .returning({ id: outbox.id });
      return rows.length > 0;
    },
    async resendDecisionUpdates(updateOf, at) {
      const rows = await tx
        .update(outbox)
        .set({ state: 'pending', nextAttemptAt: at, leaseUntil: null })
        // A row being sent is taken back too: its worker's compare-and-swap then fails, and the next claim sends it again.
        .where(and(eq(outbox.updateOf, updateOf), inArray(outbox.state, ['sent', 'sending']), sql`${outbox.message}->>'event' = 'request_decided'`))
        .returning({ id: outbox.id });
      return rows.length;
    },
    async forRequest(requestId, target, channel) {
      const who = 'adminId' in target ? eq(outbox.adminId, target.adminId) : and(isNull(outbox.adminId), eq(outbox.address, target.address));
      const rows = await tx
        .select()
        .from(outbox)
        .where(and(eq(outbox.requestId, requestId), who, eq(outbox.channel, channel), eq(outbox.kind, 'deliver')))
        .orderBy(asc(outbox.createdAt), asc(outbox.id));
      return rows.map((r) => toDelivery(r));
    },
    async forRequestAll(requestId) {
      const rows = await tx
        .select()
        .from(outbox)
        .where(and(eq(outbox.requestId, requestId), eq(outbox.kind, 'deliver')))
        .orderBy(asc(outbox.createdAt), asc(outbox.id));
      return rows.map((r) => toDelivery(r));
    },
    async failed(tenantId, limit) {
      const where = tenantId === null ? eq(outbox.state, 'failed') : and(eq(outbox.state, 'failed'), eq(outbox.tenantId, tenantId));
      const rows = await tx.select().from(outbox).where(where).orderBy(desc(outbox.createdAt), desc(outbox.id)).limit(limit);
      return rows.map((r) => toDelivery(r));
    },
  };
}

function toDelivery(row: Row, uncertain?: boolean): OutboxDelivery {
  return {
    id: row.id,
    tenantId: row.tenantId,
    eventId: row.eventId,
    adminId: row.adminId,
    address: row.address,
    channel: row.channel,
    message: row.message,
    kind: row.kind,
    updateOf: row.updateOf,
    dedupeKey: row.dedupeKey,
    requestId: row.requestId,
    createdAt: row.createdAt,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    leaseUntil: row.leaseUntil,
    lastError: row.lastError,
    sentAt: row.sentAt,
    platformRef: row.platformRef,
    ...(uncertain === undefined ? {} : { uncertain }),
  };
}
