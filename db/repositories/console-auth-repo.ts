import { and, eq, isNull } from 'drizzle-orm';
import type { ConsoleAuthRepo } from '../../core/ports/store.js';
import type { ConsoleLink, ConsoleSession, SignInMethod } from '../../core/model/console-session.js';
import type { Drizzle } from '../database.js';
import { consoleLinks, consoleSessions } from '../schema/index.js';

/** Console sign-in links and sessions over drizzle; tokens only as hashes, links used once by compare-and-swap. */
export function consoleAuthRepo(tx: Drizzle): ConsoleAuthRepo {
  return {
    async insertLink(link) {
      await tx.insert(consoleLinks).values(link);
    },
    async linkByHash(tokenHash) {
      const [row] = await tx.select().from(consoleLinks).where(eq(consoleLinks.tokenHash, tokenHash));
      if (!row) return null;
      const { tokenHash: _h, ...link } = row;
      return { ...link, issuedVia: link.issuedVia as ConsoleLink['issuedVia'] };
    },
    async useLink(id, at) {
      const rows = await tx.update(consoleLinks).set({ usedAt: at }).where(and(eq(consoleLinks.id, id), isNull(consoleLinks.usedAt))).returning({ id: consoleLinks.id });
      return rows.length > 0;
    },
    async insertSession(session) {
      await tx.insert(consoleSessions).values(session);
    },
    async sessionByHash(tokenHash) {
      const [row] = await tx.select().from(consoleSessions).where(eq(consoleSessions.tokenHash, tokenHash));
      if (!row) return null;
      const { tokenHash: _h, ...session } = row;
      return { ...session, method: session.method as SignInMethod } satisfies ConsoleSession;
    },
    async touchSession(id, at) {
      await tx.update(consoleSessions).set({ lastSeenAt: at }).where(eq(consoleSessions.id, id));
    },
    async endSession(id, at) {
      await tx.update(consoleSessions).set({ endedAt: at }).where(and(eq(consoleSessions.id, id), isNull(consoleSessions.endedAt)));
    },
    async endSessionsOf(adminId, at) {
      const rows = await tx.update(consoleSessions).set({ endedAt: at }).where(and(eq(consoleSessions.adminId, adminId), isNull(consoleSessions.endedAt))).returning({ id: consoleSessions.id });
      return rows.length;
    },
  };
}
