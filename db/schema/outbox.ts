import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from './columns.js';
import type { AlertMessage } from '../../core/model/outbox-message.js';

/** One alert per (recipient, channel, event), written in the transaction of the state change. */
export const outbox = pgTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    eventId: text('event_id').notNull(),
    /** The admin it goes to; null for a tenant-wide destination (`address`, e.g. a Slack alert channel). */
    adminId: text('admin_id'),
    address: text('address'),
    channel: text('channel', { enum: ['email', 'slack', 'teams', 'webhook'] }).notNull(),
    message: jsonb('message').$type<AlertMessage>().notNull(),
    /** `deliver` a new message, or `update` the one in `update_of` (same admin and channel). */
    kind: text('kind', { enum: ['deliver', 'update'] }).notNull().default('deliver'),
    updateOf: text('update_of'),
    /** Reminders and digests are written once however many replicas try (unique when set). */
    dedupeKey: text('dedupe_key'),
    requestId: text('request_id'),
    state: text('state', { enum: ['pending', 'sending', 'sent', 'failed', 'skipped'] }).notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull(),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    platformRef: jsonb('platform_ref').$type<Record<string, string>>(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    index('outbox_due').on(t.state, t.nextAttemptAt),
    index('outbox_event').on(t.eventId),
    index('outbox_request').on(t.requestId, t.adminId, t.channel),
    uniqueIndex('outbox_dedupe').on(t.dedupeKey),
  ],
);
