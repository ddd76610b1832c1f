import { asc, eq } from 'drizzle-orm';
import type { Tenant, TenantSettings } from '../../core/model/tenant.js';
import type { TenantRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { tenants } from '../schema/index.js';

type Row = typeof tenants.$inferSelect;

/** Tenants over drizzle. */
export function tenantRepo(tx: Drizzle): TenantRepo {
  return {
    async insert(tenant) {
      await tx.insert(tenants).values(tenant);
    },
    async byId(id) {
      const [row] = await tx.select().from(tenants).where(eq(tenants.id, id));
      return row ? toTenant(row) : null;
    },
    async byName(name) {
      const [row] = await tx.select().from(tenants).where(eq(tenants.name, name));
      return row ? toTenant(row) : null;
    },
    async list() {
      const rows = await tx.select().from(tenants).orderBy(asc(tenants.name));
      return rows.map(toTenant);
    },
    async setKek(id, vaultKeyId, publicKey) {
      await tx.update(tenants).set({ kekVaultKeyId: vaultKeyId, kekPublicKey: publicKey }).where(eq(tenants.id, id));
    },
    async updateSettings(id, settings: TenantSettings) {
      await tx.update(tenants).set({ settings }).where(eq(tenants.id, id));
    },
    async setSelfManagedKeys(id, entitled) {
      await tx.update(tenants).set({ selfManagedKeys: entitled }).where(eq(tenants.id, id));
    },
  };
}

function toTenant(row: Row): Tenant {
  return {
    id: row.id,
    name: row.name,
    selfManagedKeys: row.selfManagedKeys,
    settings: row.settings,
    kekVaultKeyId: row.kekVaultKeyId,
    kekPublicKey: row.kekPublicKey,
    createdAt: row.createdAt,
  };
}
