import { eq } from 'drizzle-orm';
import type { OfflineHookRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { offlineHooks } from '../schema/index.js';

/** Offline hooks over drizzle (the HMAC key only sealed). */
export function offlineHookRepo(tx: Drizzle): OfflineHookRepo {
  return {
    async byInstance(instanceId) {
      const [row] = await tx.select().from(offlineHooks).where(eq(offlineHooks.instanceId, instanceId));
      return row ? { ...row } : null;
    },
    async put(row) {
      const { url, secretCiphertext, secretNonce, secretTag, setBy, setAt } = row;
      await tx.insert(offlineHooks).values(row).onConflictDoUpdate({ target: offlineHooks.instanceId, set: { url, secretCiphertext, secretNonce, secretTag, setBy, setAt } });
    },
    async remove(instanceId) {
      const rows = await tx.delete(offlineHooks).where(eq(offlineHooks.instanceId, instanceId)).returning({ id: offlineHooks.instanceId });
      return rows.length > 0;
    },
  };
}
