/** The privileged operations that need a second admin. */
export type RequestType = 'key_change' | 'lock' | 'admin_change';

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
  operation?: 'new' | 'upload' | 'revert' | 'lock' | 'admin_add' | 'admin_remove' | 'identity_link' | 'identity_unlink';
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
}
