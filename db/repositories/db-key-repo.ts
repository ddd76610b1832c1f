import { asc, eq } from 'drizzle-orm';
import type { DbKey } from '../../core/model/db-key.js';
import type { DbKeyRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { dbKeys } from '../schema/index.js';

/** Database encryption keys over drizzle (ciphertexts only) . */
export function dbKeyRepo(tx: Drizzle): DbKeyRepo {
  return {
    async insert(rows) {
      if (rows.length > 0) await tx.insert(dbKeys).values(rows);
    },
    async listByInstance(instanceId) {
      const rows = await tx.select().from(dbKeys).where(eq(dbKeys.instanceId, instanceId)).orderBy(asc(dbKeys.keyId), asc(dbKeys.version));
      return rows.map((r): DbKey => ({ ...r }));
    },
  };
}
