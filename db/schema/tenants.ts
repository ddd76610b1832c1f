import { boolean, bytea, jsonb, pgTable, text, timestamp } from './columns.js';
import type { TenantSettings } from '../../core/model/tenant.js';

/** Organisations, their plan entitlement, rule settings and BYOK key-exchange key. */
export const tenants = pgTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  selfManagedKeys: boolean('self_managed_keys').notNull(),
  settings: jsonb('settings').$type<TenantSettings>().notNull(),
  kekVaultKeyId: text('kek_vault_key_id'),
  kekPublicKey: bytea('kek_public_key'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
});
