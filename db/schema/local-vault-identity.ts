import { pgTable, text, timestamp } from './columns.js';

/**
 * The local vault's identity: one row naming the key directory this database's keys live in. A process
 * whose key directory carries another (or no) identity is on another host and is refused at start.
 */
export const localVaultIdentity = pgTable('local_vault_identity', {
  id: text('id').primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
});
