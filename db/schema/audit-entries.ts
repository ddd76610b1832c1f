import { bigint, jsonb, pgTable, text, timestamp } from './columns.js';
import type { AuditActor } from '../../core/model/audit-entry.js';

/** Append-only, hash-chained and vault-keyed audit log. */
export const auditEntries = pgTable('audit_entries', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
  tenantId: text('tenant_id'),
  actor: jsonb('actor').$type<AuditActor>().notNull(),
  transport: text('transport').notNull(),
  action: text('action').notNull(),
  instanceName: text('instance_name'),
  requestId: text('request_id'),
  result: text('result', { enum: ['ok', 'refused', 'failed'] }).notNull(),
  code: text('code'),
  details: jsonb('details').$type<Record<string, string | number | boolean | null>>().notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
  /** HMAC under the vault-derived audit key over (seq, hash); null on entries written before keyed audit. */
  tag: text('tag'),
});

/** The chain head, kept apart from the entries so that removing the newest entries is detectable. */
export const auditAnchor = pgTable('audit_anchor', {
  id: text('id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});
