import { bytea, index, pgTable, text, timestamp } from './columns.js';
import { instances } from './instances.js';

/** Protector keys: public half and fingerprint here, private half only in the vault. */
export const protectors = pgTable(
  'protectors',
  {
    id: text('id').primaryKey(),
    instanceId: text('instance_id').notNull().references(() => instances.id),
    kind: text('kind', { enum: ['service', 'generated', 'pfx', 'byok'] }).notNull(),
    name: text('name').notNull(),
    fingerprint: text('fingerprint').notNull(),
    publicKey: bytea('public_key').notNull(),
    vaultKeyId: text('vault_key_id'),
    status: text('status', { enum: ['active', 'previous', 'retired', 'destroyed'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('protectors_instance').on(t.instanceId)],
);
