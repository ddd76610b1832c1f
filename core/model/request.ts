import type { ApprovalProgress } from './request-approval.js';
import { approvalsRequiredFor, type TenantSettings } from './tenant.js';

/** The privileged operations that need a second admin. */
export type RequestType = 'key_change' | 'lock' | 'admin_change' | 'settings_change';

/** Request states; everything but `pending` is final. */
export type RequestState =
  | 'pending'
  | 'approved'
  | 'rolled_back'
  | 'rejected'
  | 'expired_rolled_back'
  | 'expired_kept'
  | 'expired';

/** The channel an actor used. */
export type Transport = 'cli' | 'slack' | 'teams' | 'web' | 'system';

/** Non-secret facts of a request, shown in alerts and listings. */
export interface RequestPayload {
  operation?: 'new' | 'upload' | 'revert' | 'lock' | 'admin_add' | 'admin_remove' | 'identity_link' | 'identity_unlink' | 'settings_change';
  keyName?: string;
  fingerprint?: string;
  keyKind?: string;
  previousKeyName?: string;
  previousFingerprint?: string;
  newProtectorId?: string;
  previousProtectorId?: string;
  protectorId?: string;
  [extra: string]: string | number | boolean | null | undefined | string[];
}

/**
 * The tenant's rule settings in force when a request opened; they bind it for its whole life, so a later
 * settings change never shortens, relaxes or re-times a request already open (I6).
 */
export interface RequestSettings {
  reviewWindowHours: number;
  lockCooldownHours: number;
  lockApprovalTtlHours: number;
  unreviewedChangePolicy: 'rollback' | 'keep';
  /** Distinct approvers besides the requester (k-of-n), from the tenant setting for its type; absent: 1. */
  approvalsRequired?: number;
}

/** A proposed or applied privileged operation. */
export interface Request {
  id: string;
  tenantId: string;
  instanceId: string | null;
  type: RequestType;
  state: RequestState;
  requestedBy: string;
  requestedVia: Transport;
  payload: RequestPayload;
  openedAt: Date;
  deadline: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  /** Settings bound at opening; absent only on rows opened before they were recorded (migration 0011 backfills pending ones). */
  settings?: RequestSettings;
  /** Set on the answer to an approval that did not reach the count (the request stays pending), and on listings of pending k-of-n requests. */
  progress?: ApprovalProgress;
  /** Set only on the answer to the approval that reached a k-of-n count: the earlier approvers' e-mails, oldest first. */
  approvedWith?: string[];
}

/** The binding snapshot of a tenant's rule settings for a new request of this type (raising k-of-n binds new requests only). */
export function bindSettings(s: TenantSettings, type: RequestType): RequestSettings {
  return {
    reviewWindowHours: s.reviewWindowHours, lockCooldownHours: s.lockCooldownHours, lockApprovalTtlHours: s.lockApprovalTtlHours, unreviewedChangePolicy: s.unreviewedChangePolicy,
    approvalsRequired: approvalsRequiredFor(s, type),
  };
}

/** How many approvers besides the requester the request needs (bound when it opened). */
export function approvalsRequiredOf(request: Request): number {
  return request.settings?.approvalsRequired ?? 1;
}
