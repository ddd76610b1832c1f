import { eq } from 'drizzle-orm';
import type { TokenRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { dataPlaneTokens } from '../schema/index.js';

/** Data-plane bearer tokens over drizzle (SHA-256 hashes only). */
export function tokenRepo(tx: Drizzle): TokenRepo {
  return {
    async insert(token) {
      await tx.insert(dataPlaneTokens).values(token);
    },
    async byHash(tokenHash) {
      const [row] = await tx.select({ instanceId: dataPlaneTokens.instanceId }).from(dataPlaneTokens).where(eq(dataPlaneTokens.tokenHash, tokenHash));
      return row ?? null;
    },
  };
}
