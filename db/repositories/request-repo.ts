import { and, asc, desc, eq, lte } from 'drizzle-orm';
import type { Request } from '../../core/model/request.js';
import type { RequestRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { requests } from '../schema/index.js';

type Row = typeof requests.$inferSelect;

/** Requests over drizzle: decisions are a compare-and-swap from `pending`, due ones are claimed with SKIP LOCKED. */
export function requestRepo(tx: Drizzle): RequestRepo {
  const pendingOrder = [asc(requests.openedAt), asc(requests.id)];
  return {
    async insert(request) {
      await tx.insert(requests).values(request);
    },
    async byId(id) {
      const [row] = await tx.select().from(requests).where(eq(requests.id, id));
      return row ? toRequest(row) : null;
    },
    async pending(tenantId) {
      const rows = await tx
        .select()
        .from(requests)
        .where(and(eq(requests.tenantId, tenantId), eq(requests.state, 'pending')))
        .orderBy(...pendingOrder);
      return rows.map(toRequest);
    },
    async list(tenantId, includeClosed) {
      const where = includeClosed ? eq(requests.tenantId, tenantId) : and(eq(requests.tenantId, tenantId), eq(requests.state, 'pending'));
      // Listings show the newest first.
      const rows = await tx.select().from(requests).where(where).orderBy(desc(requests.openedAt), desc(requests.id));
      return rows.map(toRequest);
    },
    async pendingForInstance(instanceId) {
      const rows = await tx
        .select()
        .from(requests)
        .where(and(eq(requests.instanceId, instanceId), eq(requests.state, 'pending')))
        .orderBy(...pendingOrder);
      return rows.map(toRequest);
    },
    async lockById(id) {
      const [row] = await tx.select().from(requests).where(eq(requests.id, id)).for('update');
      return row ? toRequest(row) : null;
    },
    async decide(id, to, decidedBy, at, reason) {
      // Under READ COMMITTED a concurrent decider waits for our row lock, then re-checks `state` and updates nothing.
      const [row] = await tx
        .update(requests)
        .set({ state: to, decidedBy, decidedAt: at, decisionReason: reason })
        .where(and(eq(requests.id, id), eq(requests.state, 'pending')))
        .returning();
      return row ? toRequest(row) : null;
    },
    async pendingBefore(before) {
      const rows = await tx
        .select()
        .from(requests)
        .where(and(eq(requests.state, 'pending'), lte(requests.deadline, before)))
        .orderBy(asc(requests.deadline), asc(requests.id));
      return rows.map(toRequest);
    },
    async claimDue(now, limit) {
      const rows = await tx
        .select()
        .from(requests)
        .where(and(eq(requests.state, 'pending'), lte(requests.deadline, now)))
        .orderBy(asc(requests.deadline), asc(requests.id))
        .limit(limit)
        .for('update', { skipLocked: true });
      return rows.map(toRequest);
    },
  };
}

function toRequest(row: Row): Request {
  return {
    id: row.id,
    tenantId: row.tenantId,
    instanceId: row.instanceId,
    type: row.type,
    state: row.state,
    requestedBy: row.requestedBy,
    requestedVia: row.requestedVia,
    payload: row.payload,
    openedAt: row.openedAt,
    deadline: row.deadline,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
    decisionReason: row.decisionReason,
    ...(row.settings ? { settings: row.settings } : {}),
  };
}
