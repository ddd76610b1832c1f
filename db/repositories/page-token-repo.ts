import { and, eq, isNull, sql } from 'drizzle-orm';
import type { PageToken } from '../../core/model/page-token.js';
import type { HandledDeliveryRepo, PageTokenRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { handledDeliveries, pageTokens } from '../schema/index.js';

type Row = typeof pageTokens.$inferSelect;

/** One-time page tokens over drizzle: hashed, used once by compare-and-swap. */
export function pageTokenRepo(tx: Drizzle): PageTokenRepo {
  return {
    async insert(token) {
      await tx.insert(pageTokens).values(token);
    },
    async byHash(tokenHash) {
      const [row] = await tx.select().from(pageTokens).where(eq(pageTokens.tokenHash, tokenHash));
      return row ? toToken(row) : null;
    },
    async markUsed(id, at) {
      const rows = await tx.update(pageTokens).set({ usedAt: at }).where(and(eq(pageTokens.id, id), isNull(pageTokens.usedAt))).returning({ id: pageTokens.id });
      return rows.length > 0;
    },
    async recordFailure(id) {
      const [row] = await tx
        .update(pageTokens)
        .set({ failedAttempts: sql`${pageTokens.failedAttempts} + 1` })
        .where(eq(pageTokens.id, id))
        .returning({ n: pageTokens.failedAttempts });
      return row?.n ?? 0;
    },
  };
}

/** Handled inbound deliveries: the primary key makes the second claim of an id lose. */
export function handledDeliveryRepo(tx: Drizzle): HandledDeliveryRepo {
  return {
    async claim(id, at) {
      const rows = await tx.insert(handledDeliveries).values({ id, receivedAt: at }).onConflictDoNothing().returning({ id: handledDeliveries.id });
      return rows.length > 0;
    },
  };
}

function toToken(row: Row): PageToken {
  const { tokenHash: _hash, ...token } = row;
  return token;
}
