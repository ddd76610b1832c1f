import { APPROVAL_SETTINGS, type Tenant, type TenantSettings } from '../model/tenant.js';

/** Settings a change may touch: the rule settings plus the plan entitlement. */
export type SettingsFields = Partial<TenantSettings> & { selfManagedKeys?: boolean };

/** One field changed, from → to, as text for alerts and audit. */
export interface SettingChange {
  field: keyof SettingsFields;
  from: string;
  to: string;
}

/** A change split into what weakens protection (two-person) and what does not (applies at once). */
export interface ClassifiedChange {
  weakening: SettingChange[];
  immediate: SettingChange[];
}

const text = (v: unknown) => (Array.isArray(v) ? (v.length ? [...v].sort().join(',') : 'off') : v === null || v === undefined ? 'none' : String(v));

/**
 * Which direction weakens, per field: a shorter review window or lock cooldown (less time to notice and
 * react), a longer lock-approval TTL (a lock request stays approvable longer), `keep` (an unreviewed key
 * change survives its deadline), turning self-managed keys off while instances are customer-keyed (their
 * admins lose revert and unlock), and removing or moving the tenant's Slack alert channel (the people who
 * watch it stop seeing alerts), step-up covering fewer decisions (or off), and fewer approvers required (k-of-n). Everything else — the opposite directions, digest schedule, timezone — applies at once.
 */
function weakens(field: keyof SettingsFields, from: unknown, to: unknown, customerKeyed: number): boolean {
  switch (field) {
    case 'reviewWindowHours':
    case 'lockCooldownHours':
      return (to as number) < (from as number);
    case 'lockApprovalTtlHours':
    // A longer drain keeps a locking database's keys served for longer after a lock is approved.
    case 'lockDrainSeconds':
      return (to as number) > (from as number);
    case 'unreviewedChangePolicy':
      return to === 'keep' && from !== 'keep';
    case 'selfManagedKeys':
      return to === false && from === true && customerKeyed > 0;
    case 'slackAlertChannel':
      return Boolean(from) && to !== from;
    // Fewer approvers: fewer people must agree to a key change, lock or roster change (k-of-n).
    case 'approvalsKeyChange':
    case 'approvalsLock':
    case 'approvalsRoster':
      return (to as number) < (from as number);
    // Step-up off, or fewer decisions covered: a stolen chat or console session can decide more alone.
    case 'stepUp':
      return ((from as string[] | null) ?? []).some((op) => !((to as string[] | null) ?? []).includes(op));
    default:
      return false;
  }
}

/** Compares a change with the tenant as it is; unchanged fields are dropped. */
export function classifySettingsChange(tenant: Tenant, change: SettingsFields, customerKeyed: number): ClassifiedChange {
  const current: SettingsFields = { ...tenant.settings, selfManagedKeys: tenant.selfManagedKeys };
  const out: ClassifiedChange = { weakening: [], immediate: [] };
  for (const [field, to] of Object.entries(change) as Array<[keyof SettingsFields, unknown]>) {
    if (to === undefined) continue;
    const from = current[field] ?? (field === 'stepUp' ? [] : (Object.values(APPROVAL_SETTINGS) as string[]).includes(field) ? 1 : null);
    if (text(from) === text(to)) continue;
    (weakens(field, from, to, customerKeyed) ? out.weakening : out.immediate).push({ field, from: text(from), to: text(to) });
  }
  return out;
}

const LABEL: Record<string, string> = {
  reviewWindowHours: 'review window (h)', lockCooldownHours: 'lock cooldown (h)', lockApprovalTtlHours: 'lock-approval TTL (h)',
  unreviewedChangePolicy: 'unreviewed-change policy', selfManagedKeys: 'self-managed keys', slackAlertChannel: 'Slack alert channel',
  digestCron: 'digest schedule', timezone: 'timezone', lockDrainSeconds: 'lock drain (s)', stepUp: 'passkey step-up',
  approvalsKeyChange: 'approvals required (key change)', approvalsLock: 'approvals required (lock)', approvalsRoster: 'approvals required (roster change)',
};

/** "review window (h) 72 → 12, unreviewed-change policy rollback → keep": a change as admins read it. */
export function describeSettingChanges(changes: readonly SettingChange[]): string {
  return changes.map((c) => `${LABEL[c.field] ?? c.field} ${c.from} → ${c.to}`).join(', ');
}
