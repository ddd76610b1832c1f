/** What happens to a key change nobody reviewed before its deadline. */
export type UnreviewedChangePolicy = 'rollback' | 'keep';

/** Per-tenant rule settings (hours are whole or fractional hours). */
export interface TenantSettings {
  reviewWindowHours: number;
  lockCooldownHours: number;
  lockApprovalTtlHours: number;
  unreviewedChangePolicy: UnreviewedChangePolicy;
  digestCron: string;
  timezone: string;
  /** A Slack channel id that also receives every alert (optional; updated after decisions like the DMs). */
  slackAlertChannel?: string | null;
  /** How long, after a lock is approved on an instance with an offline hook, its database keys are still served (seconds). */
  lockDrainSeconds?: number;
  /** Decisions that need a passkey assertion (user verified) in the console; absent or empty: step-up off. */
  stepUp?: string[];
  /** Approvers a key change needs besides its requester (k-of-n; absent: 1, the two-person rule). */
  approvalsKeyChange?: number;
  /** Approvers a lock needs besides its requester (absent: 1). */
  approvalsLock?: number;
  /** Approvers a roster change needs besides its requester (absent: 1). */
  approvalsRoster?: number;
}

/** The tenant setting holding how many approvers each request type needs (settings changes always need one). */
export const APPROVAL_SETTINGS = { key_change: 'approvalsKeyChange', lock: 'approvalsLock', admin_change: 'approvalsRoster' } as const;

/** How many distinct approvers besides the requester a new request of this type needs under these settings. */
export function approvalsRequiredFor(settings: TenantSettings, type: 'key_change' | 'lock' | 'admin_change' | 'settings_change'): number {
  return type === 'settings_change' ? 1 : (settings[APPROVAL_SETTINGS[type]] ?? 1);
}

/** Defaults of DESIGN §2. */
export const DEFAULT_TENANT_SETTINGS: TenantSettings = {
  reviewWindowHours: 72,
  lockCooldownHours: 72,
  lockApprovalTtlHours: 24,
  unreviewedChangePolicy: 'rollback',
  digestCron: '0 9 * * *',
  timezone: 'UTC',
  slackAlertChannel: null,
  lockDrainSeconds: 120,
};

/** An organisation using dualkey. */
export interface Tenant {
  id: string;
  name: string;
  selfManagedKeys: boolean;
  settings: TenantSettings;
  kekVaultKeyId: string | null;
  kekPublicKey: Buffer | null;
  createdAt: Date;
}
