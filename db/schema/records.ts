import { bytea, integer, pgTable, primaryKey, text, timestamp } from './columns.js';
import { instances } from './instances.js';

/** Instance data: AES-256-GCM ciphertexts, AAD binding tenant, instance, key and DEK version. */
export const records = pgTable(
  'records',
  {
    instanceId: text('instance_id').notNull().references(() => instances.id),
    key: text('key').notNull(),
    ciphertext: bytea('ciphertext').notNull(),
    nonce: bytea('nonce').notNull(),
    tag: bytea('tag').notNull(),
    dekVersion: integer('dek_version').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.key] })],
);
