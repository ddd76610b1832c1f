import type { Admin } from '../model/admin.js';
import type { AlertMessage } from '../model/outbox-message.js';
import type { Request } from '../model/request.js';
import { adminChangeOf, describeAdminChange, identityFacts } from '../roster/admin-change.js';

const OPERATION_LABEL: Record<string, string> = { new: 'generated a new key', upload: 'uploaded a key', revert: 'reverted to the service-managed key' };

/** "2026-12-02 09:14 UTC": deadlines as admins read them. */
export function formatUtc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function keyLabel(name: string | undefined, fingerprint: string | undefined): string {
  return `${name ?? 'unnamed key'} (${fingerprint ?? 'unknown fingerprint'})`;
}

/** The alert every admin gets when a key change is applied and awaits review. */
export function keyChangeOpened(request: Request, instanceName: string, requester: Admin, policy: 'rollback' | 'keep'): AlertMessage {
  const p = request.payload;
  return {
    event: 'key_change_opened',
    title: `Key changed on ${instanceName} by ${requester.email} — review by ${formatUtc(request.deadline)}`,
    facts: [
      ['Instance', instanceName],
      ['Operation', `${requester.name} ${OPERATION_LABEL[p.operation ?? ''] ?? p.operation}`],
      ['Requested by', `${requester.name} <${requester.email}>`],
      ['New key', keyLabel(p.keyName, p.fingerprint)],
      ['Previous key', keyLabel(p.previousKeyName, p.previousFingerprint)],
      ['Deadline', formatUtc(request.deadline)],
      ['If nobody reviews it', policy === 'rollback' ? 'the change is rolled back at the deadline' : 'the change is kept at the deadline'],
      ['Request', request.id],
    ],
    actions: [
      { id: 'approve', label: 'Approve', style: 'primary', requestId: request.id, confirm: null },
      { id: 'rollback', label: 'Roll back', style: 'danger', requestId: request.id, confirm: `Roll back the key change on ${instanceName}? The previous key becomes active again and the new key is destroyed.` },
    ],
    status: null,
    requestId: request.id,
    instanceName,
  };
}

/** The alert every admin gets when a lock is requested. */
export function lockRequested(request: Request, instanceName: string, requester: Admin): AlertMessage {
  const p = request.payload;
  return {
    event: 'lock_requested',
    title: `Lock requested on ${instanceName} by ${requester.email} — approve by ${formatUtc(request.deadline)}`,
    facts: [
      ['Instance', instanceName],
      ['Operation', 'lock: the instance goes completely offline until unlocked with the same key file'],
      ['Requested by', `${requester.name} <${requester.email}>`],
      ['Key', keyLabel(p.keyName, p.fingerprint)],
      ['Deadline', formatUtc(request.deadline)],
      ['Request', request.id],
    ],
    actions: [
      { id: 'approve', label: 'Approve lock', style: 'danger', requestId: request.id, confirm: `Lock ${instanceName}? It goes offline and its keys are destroyed on the service side until someone unlocks it with the key file.` },
      { id: 'reject', label: 'Reject', style: 'primary', requestId: request.id, confirm: null },
    ],
    status: null,
    requestId: request.id,
    instanceName,
  };
}

const STATE_TEXT: Record<string, string> = {
  approved: 'approved',
  rolled_back: 'rolled back',
  rejected: 'rejected',
  expired_rolled_back: 'expired unreviewed and was rolled back',
  expired_kept: 'expired unreviewed and was kept',
  expired: 'expired without approval',
};

/** The follow-up every admin gets when a request is decided or expires; a k-of-n approval names every approver (earlier ones first). */
export function requestDecided(request: Request, instanceName: string | null, decider: Admin | null, earlierApprovers: ReadonlyArray<Pick<Admin, 'email'>> = []): AlertMessage {
  const what =
    request.type === 'lock' ? 'Lock'
    : request.type === 'key_change' ? 'Key change'
    : request.type === 'settings_change' ? `Settings change (${String(request.payload.summary ?? '')})`
    : `Admin change (${describeAdminChange(adminChangeOf(request.payload))})`;
  const by = decider ? ` by ${[...earlierApprovers, decider].map((a) => a.email).join(' and ')}` : '';
  const when = request.decidedAt ? formatUtc(request.decidedAt) : '';
  const status = `${STATE_TEXT[request.state] ?? request.state}${by} at ${when}`;
  return {
    event: 'request_decided',
    title: `${what} ${instanceName ? `on ${instanceName} ` : ''}${status}`,
    facts: [
      ['Request', request.id],
      ...(instanceName ? ([['Instance', instanceName]] as Array<[string, string]>) : []),
      ...(request.type === 'admin_change' ? identityFacts(adminChangeOf(request.payload)) : []),
      ['Decision', status],
      ...(request.decisionReason ? ([['Reason', request.decisionReason]] as Array<[string, string]>) : []),
    ],
    actions: [],
    status,
    requestId: request.id,
    instanceName,
  };
}

/** The alert every admin gets when an instance is unlocked. */
export function instanceUnlocked(instanceName: string, by: Admin, fingerprint: string, at: Date): AlertMessage {
  return {
    event: 'instance_unlocked',
    title: `${instanceName} was unlocked by ${by.email}`,
    facts: [
      ['Instance', instanceName],
      ['Unlocked by', `${by.name} <${by.email}>`],
      ['Key', fingerprint],
      ['At', formatUtc(at)],
    ],
    actions: [],
    status: 'unlocked',
    requestId: null,
    instanceName,
  };
}

/**
 * The alert every admin gets when a lock has destroyed the service side's key material. Where the key
 * store only soft-deletes (purge protection), it says until when the store's owner could still recover it.
 */
export function instanceLocked(instanceName: string, recoverableUntil: Date | null, at: Date): AlertMessage {
  const custody = recoverableUntil
    ? `deleted in the key store, which keeps it recoverable by the store's owner until ${formatUtc(recoverableUntil)} (purge protection): the lock is not a crypto-shred before then`
    : 'destroyed in the key store: only your key file can unlock the instance';
  return {
    event: 'instance_locked',
    title: `${instanceName} is locked`,
    facts: [
      ['Instance', instanceName],
      ['Key', custody],
      ['At', formatUtc(at)],
    ],
    actions: [],
    status: 'locked',
    requestId: null,
    instanceName,
  };
}
