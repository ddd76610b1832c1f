import { bytea, pgTable, text, timestamp } from './columns.js';

/** Local vault: private keys encrypted (AES-256-GCM) under the master key; a destroyed key's row is deleted. */
export const vaultKeys = pgTable('vault_keys', {
  id: text('id').primaryKey(),
  purpose: text('purpose', { enum: ['protector', 'kek'] }).notNull(),
  publicKey: bytea('public_key').notNull(),
  encryptedPrivateKey: bytea('encrypted_private_key').notNull(),
  nonce: bytea('nonce').notNull(),
  tag: bytea('tag').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
});
