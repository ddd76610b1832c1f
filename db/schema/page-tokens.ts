import { index, integer, pgTable, text, timestamp } from './columns.js';

/** One-time links to the pages where secrets are typed: stored hashed, single use, short-lived. */
export const pageTokens = pgTable(
  'page_tokens',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    tenantId: text('tenant_id').notNull(),
    adminId: text('admin_id').notNull(),
    operation: text('operation', { enum: ['key_new', 'key_upload', 'lock', 'unlock', 'cli_token'] }).notNull(),
    instanceName: text('instance_name').notNull(),
    transport: text('transport', { enum: ['cli', 'slack', 'teams', 'web', 'system'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
    failedAttempts: integer('failed_attempts').notNull().default(0),
  },
  (t) => [index('page_tokens_expiry').on(t.expiresAt)],
);
