import { and, asc, eq, ne } from 'drizzle-orm';
import type { WrappedDek } from '../../core/model/protector.js';
import type { KeyringRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { keyring } from '../schema/index.js';

type Row = typeof keyring.$inferSelect;

/** Wrapped DEK versions over drizzle. */
export function keyringRepo(tx: Drizzle): KeyringRepo {
  const ordered = [asc(keyring.version), asc(keyring.protectorId)];
  return {
    async insert(rows) {
      if (rows.length > 0) await tx.insert(keyring).values(rows);
    },
    async listByInstance(instanceId) {
      const rows = await tx.select().from(keyring).where(eq(keyring.instanceId, instanceId)).orderBy(...ordered);
      return rows.map(toWrapped);
    },
    async listByProtector(instanceId, protectorId) {
      const rows = await tx
        .select()
        .from(keyring)
        .where(and(eq(keyring.instanceId, instanceId), eq(keyring.protectorId, protectorId)))
        .orderBy(...ordered);
      return rows.map(toWrapped);
    },
    async deleteByProtector(instanceId, protectorId) {
      await tx.delete(keyring).where(and(eq(keyring.instanceId, instanceId), eq(keyring.protectorId, protectorId)));
    },
    async deleteAllExcept(instanceId, protectorId) {
      await tx.delete(keyring).where(and(eq(keyring.instanceId, instanceId), ne(keyring.protectorId, protectorId)));
    },
  };
}

function toWrapped(row: Row): WrappedDek {
  return { instanceId: row.instanceId, version: row.version, protectorId: row.protectorId, wrapped: row.wrapped };
}
