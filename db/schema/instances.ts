import { bigint, pgTable, text, timestamp, uniqueIndex } from './columns.js';
import { tenants } from './tenants.js';

/** Encrypted instances: state, key mode, current protector and the generation counter. */
export const instances = pgTable(
  'instances',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    name: text('name').notNull(),
    state: text('state', { enum: ['active', 'locking', 'locked'] }).notNull(),
    keyMode: text('key_mode', { enum: ['service', 'customer'] }).notNull(),
    protectorId: text('protector_id').notNull(),
    generation: bigint('generation', { mode: 'number' }).notNull(),
    lastKeyChangeAt: timestamp('last_key_change_at', { withTimezone: true, mode: 'date' }),
    /** While `locking` with an offline hook: until when the KV endpoint still serves the database keys. */
    drainUntil: timestamp('drain_until', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [uniqueIndex('instances_tenant_name').on(t.tenantId, t.name)],
);
