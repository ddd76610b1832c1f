import { index, integer, jsonb, pgTable, text, timestamp } from './columns.js';
import type { AlertMessage } from '../../core/model/outbox-message.js';

/** One alert per (recipient, channel, event), written in the transaction of the state change. */
export const outbox = pgTable(
  'outbox',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    eventId: text('event_id').notNull(),
    adminId: text('admin_id').notNull(),
    channel: text('channel', { enum: ['email', 'slack', 'teams'] }).notNull(),
    message: jsonb('message').$type<AlertMessage>().notNull(),
    state: text('state', { enum: ['pending', 'sent', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull(),
    platformRef: jsonb('platform_ref').$type<Record<string, string>>(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('outbox_due').on(t.state, t.nextAttemptAt), index('outbox_event').on(t.eventId)],
);
