import { bytea, integer, pgTable, primaryKey, text } from './columns.js';
import { instances } from './instances.js';

/** DEK versions, stored only wrapped (RSA-OAEP-SHA256) under a protector. */
export const keyring = pgTable(
  'keyring',
  {
    instanceId: text('instance_id').notNull().references(() => instances.id),
    version: integer('version').notNull(),
    protectorId: text('protector_id').notNull(),
    wrapped: bytea('wrapped').notNull(),
  },
  (t) => [primaryKey({ columns: [t.instanceId, t.version, t.protectorId] })],
);
