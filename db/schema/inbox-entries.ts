import { boolean, index, jsonb, pgTable, text, timestamp, uniqueIndex } from './columns.js';
import type { AlertMessage } from '../../core/model/outbox-message.js';

/** The console inbox: one row per alert and admin, written in the transaction of the state change (the always-on channel). */
export const inboxEntries = pgTable(
  'inbox_entries',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    adminId: text('admin_id').notNull(),
    eventId: text('event_id').notNull(),
    requestId: text('request_id'),
    message: jsonb('message').$type<AlertMessage>().notNull(),
    /** True while the entry carries decision buttons; a decision clears it and sets `resolution`. */
    actionable: boolean('actionable').notNull(),
    resolution: text('resolution'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, mode: 'date' }),
    /** Reminders and digests are written once however many replicas try (unique when set). */
    dedupeKey: text('dedupe_key'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    readAt: timestamp('read_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('inbox_admin_created').on(t.adminId, t.createdAt),
    index('inbox_request').on(t.requestId),
    uniqueIndex('inbox_dedupe').on(t.dedupeKey),
  ],
);
