import { and, asc, count, desc, eq, isNull, sql } from 'drizzle-orm';
import type { InboxEntry } from '../../core/model/inbox-entry.js';
import type { InboxRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { inboxEntries } from '../schema/index.js';

/** The console inbox over drizzle. */
export function inboxRepo(tx: Drizzle): InboxRepo {
  // Newest first by when the entry last changed: a decision brings the alert it resolves back to the top.
  const changedAt = sql`coalesce(${inboxEntries.resolvedAt}, ${inboxEntries.createdAt})`;
  return {
    async insert(entries) {
      if (entries.length === 0) return 0;
      const rows = await tx.insert(inboxEntries).values(entries).onConflictDoNothing({ target: inboxEntries.dedupeKey }).returning({ id: inboxEntries.id });
      return rows.length;
    },
    async resolveRequest(requestId, resolution, at) {
      const rows = await tx
        .update(inboxEntries)
        .set({ actionable: false, resolution, resolvedAt: at, readAt: null })
        .where(and(eq(inboxEntries.requestId, requestId), eq(inboxEntries.actionable, true)))
        .returning({ adminId: inboxEntries.adminId });
      return [...new Set(rows.map((r) => r.adminId))];
    },
    async firstForRequest(requestId, adminId) {
      const [row] = await tx
        .select()
        .from(inboxEntries)
        .where(and(eq(inboxEntries.requestId, requestId), eq(inboxEntries.adminId, adminId)))
        .orderBy(asc(inboxEntries.createdAt), asc(inboxEntries.id))
        .limit(1);
      return row ?? null;
    },
    async list(adminId, limit, offset) {
      const entries: InboxEntry[] = await tx
        .select()
        .from(inboxEntries)
        .where(eq(inboxEntries.adminId, adminId))
        .orderBy(desc(changedAt), desc(inboxEntries.id))
        .limit(limit)
        .offset(offset);
      const [total] = await tx.select({ n: count() }).from(inboxEntries).where(eq(inboxEntries.adminId, adminId));
      return { entries, total: total?.n ?? 0 };
    },
    async unreadCount(adminId) {
      const [row] = await tx.select({ n: count() }).from(inboxEntries).where(and(eq(inboxEntries.adminId, adminId), isNull(inboxEntries.readAt)));
      return row?.n ?? 0;
    },
    async markAllRead(adminId, at) {
      const rows = await tx.update(inboxEntries).set({ readAt: at }).where(and(eq(inboxEntries.adminId, adminId), isNull(inboxEntries.readAt))).returning({ id: inboxEntries.id });
      return rows.length;
    },
  };
}
