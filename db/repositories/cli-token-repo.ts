import { and, desc, eq, isNull } from 'drizzle-orm';
import type { CliToken } from '../../core/model/cli-token.js';
import type { CliTokenRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { cliTokens } from '../schema/index.js';

type Row = typeof cliTokens.$inferSelect;

const toToken = ({ tokenHash: _hash, ...token }: Row): CliToken => token;

/** Personal CLI tokens over drizzle: hashes only, revoked by compare-and-swap. */
export function cliTokenRepo(tx: Drizzle): CliTokenRepo {
  return {
    async insert(token) {
      await tx.insert(cliTokens).values(token);
    },
    async byHash(tokenHash) {
      const [row] = await tx.select().from(cliTokens).where(eq(cliTokens.tokenHash, tokenHash));
      return row ? toToken(row) : null;
    },
    async byId(id) {
      const [row] = await tx.select().from(cliTokens).where(eq(cliTokens.id, id));
      return row ? toToken(row) : null;
    },
    async list(tenantId, adminId) {
      const rows = await tx
        .select()
        .from(cliTokens)
        .where(adminId ? and(eq(cliTokens.tenantId, tenantId), eq(cliTokens.adminId, adminId)) : eq(cliTokens.tenantId, tenantId))
        .orderBy(desc(cliTokens.createdAt), cliTokens.id);
      return rows.map(toToken);
    },
    async revoke(id, at) {
      const rows = await tx.update(cliTokens).set({ revokedAt: at }).where(and(eq(cliTokens.id, id), isNull(cliTokens.revokedAt))).returning({ id: cliTokens.id });
      return rows.length > 0;
    },
    async revokeAllOf(adminId, at) {
      const rows = await tx.update(cliTokens).set({ revokedAt: at }).where(and(eq(cliTokens.adminId, adminId), isNull(cliTokens.revokedAt))).returning({ id: cliTokens.id });
      return rows.length;
    },
    async touch(id, at) {
      await tx.update(cliTokens).set({ lastUsedAt: at }).where(eq(cliTokens.id, id));
    },
  };
}
