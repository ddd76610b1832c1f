import { asc, eq } from 'drizzle-orm';
import type { DbKey } from '../../core/model/db-key.js';
import type { DbKeyRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { dataPlaneTokens, dbKeys, instances } from '../schema/index.js';

/** Database encryption keys over drizzle (ciphertexts only) and the KV endpoint's one-query check. */
export function dbKeyRepo(tx: Drizzle): DbKeyRepo {
  return {
    async insert(rows) {
      if (rows.length > 0) await tx.insert(dbKeys).values(rows);
    },
    async listByInstance(instanceId) {
      const rows = await tx.select().from(dbKeys).where(eq(dbKeys.instanceId, instanceId)).orderBy(asc(dbKeys.keyId), asc(dbKeys.version));
      return rows.map((r): DbKey => ({ ...r }));
    },
    async grant(tokenHash) {
      const [row] = await tx
        .select({
          instanceId: instances.id, tenantId: instances.tenantId, name: instances.name, state: instances.state,
          generation: instances.generation, drainUntil: instances.drainUntil, tokenHash: dataPlaneTokens.tokenHash,
        })
        .from(dataPlaneTokens)
        .innerJoin(instances, eq(instances.id, dataPlaneTokens.instanceId))
        .where(eq(dataPlaneTokens.tokenHash, tokenHash));
      return row ?? null;
    },
  };
}
