import { DomainError } from '../errors.js';
import type { Store } from '../ports/store.js';
import type { SettingsFields } from './classify-settings-change.js';

/**
 * Refuses with `approvals_unreachable` a k-of-n count the roster cannot meet: a request needs that many
 * admins besides its requester (global admins for roster changes), so a higher count would leave every
 * new lock, key change or roster change undecidable. Settings changes always need one approver, so a count
 * that becomes unreachable later (admins removed) can still be lowered.
 */
export async function requireReachableApprovals(store: Store, tenantId: string, fields: SettingsFields): Promise<void> {
  const wanted = [fields.approvalsKeyChange, fields.approvalsLock, fields.approvalsRoster];
  if (wanted.every((v) => v === undefined || v <= 1)) return;
  const admins = await store.admins.list(tenantId);
  const globals = admins.filter((a) => a.role === 'global_admin').length;
  const check = (field: keyof SettingsFields, value: number | undefined, pool: number, who: string) => {
    if (value !== undefined && value > 1 && value > pool - 1) {
      throw new DomainError('approvals_unreachable', `${field} ${value} needs ${value} ${who} besides the requester, but the tenant has ${pool}. Add administrators first, or require fewer approvals.`, { field, required: value, available: Math.max(0, pool - 1) });
    }
  };
  check('approvalsKeyChange', fields.approvalsKeyChange, admins.length, 'administrators');
  check('approvalsLock', fields.approvalsLock, admins.length, 'administrators');
  check('approvalsRoster', fields.approvalsRoster, globals, 'global admins');
}
