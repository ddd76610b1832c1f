import { asc, eq } from 'drizzle-orm';
import type { Protector } from '../../core/model/protector.js';
import type { ProtectorRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { protectors } from '../schema/index.js';

type Row = typeof protectors.$inferSelect;

/** Protectors over drizzle. */
export function protectorRepo(tx: Drizzle): ProtectorRepo {
  return {
    async insert(protector) {
      await tx.insert(protectors).values(protector);
    },
    async byId(id) {
      const [row] = await tx.select().from(protectors).where(eq(protectors.id, id));
      return row ? toProtector(row) : null;
    },
    async listByInstance(instanceId) {
      const rows = await tx.select().from(protectors).where(eq(protectors.instanceId, instanceId)).orderBy(asc(protectors.createdAt), asc(protectors.id));
      return rows.map(toProtector);
    },
    async update(id, patch) {
      if (patch.status === undefined && patch.vaultKeyId === undefined) return;
      await tx.update(protectors).set({ status: patch.status, vaultKeyId: patch.vaultKeyId }).where(eq(protectors.id, id));
    },
  };
}

function toProtector(row: Row): Protector {
  return {
    id: row.id,
    instanceId: row.instanceId,
    kind: row.kind,
    name: row.name,
    fingerprint: row.fingerprint,
    publicKey: row.publicKey,
    vaultKeyId: row.vaultKeyId,
    status: row.status,
    createdAt: row.createdAt,
  };
}
