import { index, pgTable, text, timestamp } from './columns.js';

/** Personal CLI tokens of admins (`dualkey --token-file`): only the SHA-256 of the token is stored. */
export const cliTokens = pgTable(
  'cli_tokens',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    adminId: text('admin_id').notNull(),
    label: text('label').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('cli_tokens_admin').on(t.adminId), index('cli_tokens_tenant').on(t.tenantId)],
);
