import type { Tenant, TenantSettings } from '../model/tenant.js';
import type { Store } from '../ports/store.js';
import type { SettingsFields } from './classify-settings-change.js';

/** Writes the fields onto the tenant in the caller's transaction and returns the tenant as it now is. */
export async function applySettings(store: Store, tenant: Tenant, fields: SettingsFields): Promise<Tenant> {
  const { selfManagedKeys, ...rules } = fields;
  const settings: TenantSettings = { ...tenant.settings, ...rules };
  if (Object.keys(rules).length > 0) await store.tenants.updateSettings(tenant.id, settings);
  if (selfManagedKeys !== undefined) await store.tenants.setSelfManagedKeys(tenant.id, selfManagedKeys);
  return { ...tenant, settings, selfManagedKeys: selfManagedKeys ?? tenant.selfManagedKeys };
}

/** Only the named fields of a change. */
export function pickFields(change: SettingsFields, fields: ReadonlyArray<keyof SettingsFields>): SettingsFields {
  return Object.fromEntries(fields.map((f) => [f, change[f]])) as SettingsFields;
}

/** How many of the tenant's instances run on a customer key (turning self-managed keys off strands them). */
export async function customerKeyedCount(store: Store, tenantId: string): Promise<number> {
  return (await store.instances.list(tenantId)).filter((i) => i.keyMode === 'customer').length;
}
