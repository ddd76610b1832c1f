import { and, asc, desc, eq, gt, sql, type SQL } from 'drizzle-orm';
import type { AuditEntry } from '../../core/model/audit-entry.js';
import type { Transport } from '../../core/model/request.js';
import type { AuditRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { auditAnchor, auditEntries } from '../schema/index.js';

type Row = typeof auditEntries.$inferSelect;

// Transaction advisory lock that serializes appends to the chain ("dualkey:a"); distinct from the migration lock.
const AUDIT_LOCK_KEY = '7234298812375361';
const HEAD = 'head';
const GENESIS = { seq: 0, hash: '0'.repeat(64) };

/** The hash-chained audit log over drizzle; the head lives in audit_anchor, apart from the entries. */
export function auditRepo(tx: Drizzle): AuditRepo {
  async function anchor(): Promise<{ seq: number; hash: string } | null> {
    const [row] = await tx.select({ seq: auditAnchor.seq, hash: auditAnchor.hash }).from(auditAnchor).where(eq(auditAnchor.id, HEAD));
    return row ?? null;
  }
  return {
    async lockHead() {
      await tx.execute(sql.raw(`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`));
      return (await anchor()) ?? { ...GENESIS };
    },
    async insert(entry) {
      await tx.insert(auditEntries).values(entry);
      await tx
        .insert(auditAnchor)
        .values({ id: HEAD, seq: entry.seq, hash: entry.hash })
        .onConflictDoUpdate({ target: auditAnchor.id, set: { seq: entry.seq, hash: entry.hash } });
    },
    async page(afterSeq, limit) {
      const rows = await tx.select().from(auditEntries).where(gt(auditEntries.seq, afterSeq)).orderBy(asc(auditEntries.seq)).limit(limit);
      return rows.map(toEntry);
    },
    async recent(filter, limit) {
      const conditions: SQL[] = [];
      if (filter.tenantId !== undefined) conditions.push(eq(auditEntries.tenantId, filter.tenantId));
      if (filter.instanceName !== undefined) conditions.push(eq(auditEntries.instanceName, filter.instanceName));
      const rows = await tx
        .select()
        .from(auditEntries)
        .where(and(...conditions))
        .orderBy(desc(auditEntries.seq))
        .limit(limit);
      return rows.map(toEntry);
    },
    anchor,
  };
}

function toEntry(row: Row): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    tenantId: row.tenantId,
    actor: row.actor,
    transport: row.transport as Transport,
    action: row.action,
    instanceName: row.instanceName,
    requestId: row.requestId,
    result: row.result,
    code: row.code,
    details: row.details,
    prevHash: row.prevHash,
    hash: row.hash,
    tag: row.tag,
  };
}
