import { index, jsonb, pgTable, text, timestamp, uniqueIndex } from './columns.js';
import { tenants } from './tenants.js';

/** Administrators (one principal per person across platforms). */
export const admins = pgTable(
  'admins',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ['global_admin', 'service_admin', 'system_admin'] }).notNull(),
    instances: jsonb('instances').$type<string[]>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [uniqueIndex('admins_tenant_email').on(t.tenantId, t.email), index('admins_tenant').on(t.tenantId)],
);
