import { bytea, pgTable, text, timestamp } from './columns.js';
import { instances } from './instances.js';

/** Per-instance offline hooks: the URL and the HMAC key, sealed (AES-256-GCM) under a key the vault derives — never in clear. */
export const offlineHooks = pgTable('offline_hooks', {
  instanceId: text('instance_id').primaryKey().references(() => instances.id),
  url: text('url').notNull(),
  secretCiphertext: bytea('secret_ciphertext').notNull(),
  secretNonce: bytea('secret_nonce').notNull(),
  secretTag: bytea('secret_tag').notNull(),
  setBy: text('set_by').notNull(),
  setAt: timestamp('set_at', { withTimezone: true, mode: 'date' }).notNull(),
});
