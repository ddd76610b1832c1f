import { administers } from '../access/authorize.js';
import { DomainError } from '../errors.js';
import type { Admin } from '../model/admin.js';
import type { Request } from '../model/request.js';
import type { Store } from '../ports/store.js';

/**
 * Inside a decision's transaction: the decider and every earlier approver it counts are still admins who may
 * decide the request. Their rows are share-locked until the commit, so a removal committing meanwhile waits for
 * the decision, and one that committed first is seen here: a removed admin's click, or approval, never counts.
 */
export async function requireDecidersCurrent(store: Store, request: Request, decider: Admin, earlier: readonly Admin[], instanceName: string | null): Promise<void> {
  const current = new Map((await store.admins.lockByIds([decider.id, ...earlier.map((a) => a.id)])).map((a) => [a.id, a]));
  const still = (a: Admin) => {
    const now = current.get(a.id);
    return Boolean(now) && (!instanceName || administers(now!, instanceName));
  };
  if (!still(decider)) {
    throw new DomainError('not_admin', `You are no longer an administrator${instanceName ? ` of ${instanceName}` : ''}: your decision on ${request.id} was not recorded.`, { request: request.id });
  }
  const gone = earlier.filter((a) => !still(a));
  if (gone.length > 0) {
    throw new DomainError(
      'approvals_changed',
      `${gone.map((a) => a.email).join(' and ')} approved ${request.id} but ${gone.length === 1 ? 'is' : 'are'} no longer an administrator, so the approvals no longer reach the count. Nothing was decided; approve again to record your approval, and it will say how many more are needed.`,
      { request: request.id, removed: gone.map((a) => a.email).join(' ') },
    );
  }
}
