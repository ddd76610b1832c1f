import { bytea, integer, pgTable, primaryKey, text, timestamp } from './columns.js';
import { instances } from './instances.js';

/** Database encryption keys served to MariaDB: AES-256-GCM under the instance DEK, AAD binding tenant, instance, key id and version. */
export const dbKeys = pgTable(
  'db_keys',
  {
    instanceId: text('instance_id').notNull().references(() => instances.id),
    keyId: integer('key_id').notNull(),
    version: integer('version').notNull(),
    ciphertext: bytea('ciphertext').notNull(),
    nonce: bytea('nonce').notNull(),
    tag: bytea('tag').notNull(),
    dekVersion: integer('dek_version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.keyId, t.version] })],
);
