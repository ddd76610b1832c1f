import { pgTable, text, timestamp } from './columns.js';
import { instances } from './instances.js';

/** Data-plane bearer tokens, stored as SHA-256 hashes only. */
export const dataPlaneTokens = pgTable('data_plane_tokens', {
  id: text('id').primaryKey(),
  instanceId: text('instance_id').notNull().references(() => instances.id),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
});
