import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Admin, Identity } from '../../core/model/admin.js';
import type { AdminRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { adminIdentities, admins } from '../schema/index.js';

type Row = typeof admins.$inferSelect;

/** Admins over drizzle; their identities live in admin_identities and are loaded with them. */
export function adminRepo(tx: Drizzle): AdminRepo {
  async function withIdentities(rows: Row[]): Promise<Admin[]> {
    if (rows.length === 0) return [];
    const links = await tx
      .select()
      .from(adminIdentities)
      .where(inArray(adminIdentities.adminId, rows.map((r) => r.id)))
      .orderBy(asc(adminIdentities.platform), asc(adminIdentities.workspace), asc(adminIdentities.userId));
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenantId,
      email: row.email,
      name: row.name,
      role: row.role,
      instances: row.instances,
      identities: links.filter((l) => l.adminId === row.id).map(({ platform, workspace, userId }): Identity => ({ platform, workspace, userId })),
      createdAt: row.createdAt,
    }));
  }
  async function one(rows: Row[]): Promise<Admin | null> {
    const [admin] = await withIdentities(rows);
    return admin ?? null;
  }

  return {
    async insert(admin) {
      const { identities, ...row } = admin;
      await tx.insert(admins).values(row);
      if (identities.length > 0) await tx.insert(adminIdentities).values(identities.map((i) => ({ adminId: admin.id, ...i })));
    },
    async byId(id) {
      return one(await tx.select().from(admins).where(eq(admins.id, id)));
    },
    async byIds(ids) {
      if (ids.length === 0) return [];
      return withIdentities(await tx.select().from(admins).where(inArray(admins.id, [...ids])));
    },
    async lockByIds(ids) {
      if (ids.length === 0) return [];
      return withIdentities(await tx.select().from(admins).where(inArray(admins.id, [...ids])).for('share'));
    },
    async byEmail(tenantId, email) {
      return one(await tx.select().from(admins).where(and(eq(admins.tenantId, tenantId), eq(admins.email, email))));
    },
    async byIdentity(platform, workspace, userId) {
      const rows = await tx
        .select({ admin: admins })
        .from(adminIdentities)
        .innerJoin(admins, eq(admins.id, adminIdentities.adminId))
        .where(and(eq(adminIdentities.platform, platform), eq(adminIdentities.workspace, workspace), eq(adminIdentities.userId, userId)));
      return one(rows.map((r) => r.admin));
    },
    async list(tenantId) {
      const rows = await tx.select().from(admins).where(eq(admins.tenantId, tenantId)).orderBy(asc(admins.createdAt), asc(admins.email));
      return withIdentities(rows);
    },
    async addIdentity(adminId, identity) {
      await tx.insert(adminIdentities).values({ adminId, ...identity });
    },
    async removeIdentity(adminId, identity) {
      await tx.delete(adminIdentities).where(and(eq(adminIdentities.adminId, adminId), eq(adminIdentities.platform, identity.platform), eq(adminIdentities.workspace, identity.workspace), eq(adminIdentities.userId, identity.userId)));
    },
    async remove(id) {
      await tx.delete(adminIdentities).where(eq(adminIdentities.adminId, id));
      await tx.delete(admins).where(eq(admins.id, id));
    },
  };
}
