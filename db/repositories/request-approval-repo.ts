import { asc, eq } from 'drizzle-orm';
import type { RequestApprovalRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { requestApprovals } from '../schema/index.js';

/** Recorded k-of-n approvals over drizzle: the unique (request, admin) index makes a second one a no-op. */
export function requestApprovalRepo(tx: Drizzle): RequestApprovalRepo {
  return {
    async record(approval) {
      const rows = await tx.insert(requestApprovals).values(approval).onConflictDoNothing().returning({ adminId: requestApprovals.adminId });
      return rows.length > 0;
    },
    async list(requestId) {
      return tx.select().from(requestApprovals).where(eq(requestApprovals.requestId, requestId)).orderBy(asc(requestApprovals.at), asc(requestApprovals.adminId));
    },
  };
}
