import { formatUtc } from '../alerts/alert-messages.js';
import { withAuditHead } from '../alerts/audit-head-fact.js';
import type { EngineDeps } from '../engine-deps.js';
import { DomainError } from '../errors.js';
import type { AlertMessage } from '../model/outbox-message.js';
import type { DigestFacts } from '../ports/store.js';

/** How far back "recent changes" reach, and how long each list may get before it points to the CLI. */
export const DIGEST_RECENT_HOURS = 24;
export const DIGEST_LIST_LIMIT = 20;

function timeLeft(deadline: Date, now: Date): string {
  const minutes = Math.max(0, Math.round((deadline.getTime() - now.getTime()) / 60_000));
  return minutes >= 120 ? `${Math.round(minutes / 60)} h left` : `${minutes} min left`;
}

function ageDays(created: Date, now: Date): string {
  return `${Math.floor((now.getTime() - created.getTime()) / 86_400_000)} days`;
}

const more = (shown: number, total: number, command: string): Array<[string, string]> =>
  total > shown ? [['…', `${total - shown} more: run "${command}"`]] : [];

/** The digest as a neutral message: pending requests with time left, locked instances, key ages, recent changes, undelivered alerts. */
export function renderDigest(tenantName: string, facts: DigestFacts, now: Date): AlertMessage {
  const f = facts;
  const facts_: Array<[string, string]> = [
    ['Instances', `${f.instances.total} (${f.instances.active} active, ${f.instances.locked + f.instances.locking} locked, ${f.instances.customerKeyed} on customer keys)`],
    ['Pending requests', String(f.pendingTotal)],
    ...f.pending.map((p): [string, string] => [`  ${p.id}`, `${p.type.replace('_', ' ')}${p.instanceName ? ` on ${p.instanceName}` : ''}${p.summary ? ` (${p.summary})` : ''} by ${p.requestedBy ?? 'a former admin'}${p.approvals ? `, ${p.approvals.count} of ${p.approvals.required} approvals` : ''} — ${timeLeft(p.deadline, now)} (${formatUtc(p.deadline)})`]),
    ...more(f.pending.length, f.pendingTotal, 'dualkey requests'),
    ['Locked instances', String(f.instances.locked + f.instances.locking)],
    ...f.locked.map((l): [string, string] => [`  ${l.instanceName}`, l.lockedAt ? `locked since ${formatUtc(l.lockedAt)}` : 'locked']),
    ['Oldest keys', ''],
    ...f.oldestKeys.map((k): [string, string] => [`  ${k.instanceName}`, `${k.keyName} (${k.kind}, ${k.fingerprint}) — ${ageDays(k.createdAt, now)} old`]),
    [`Changes in the last ${DIGEST_RECENT_HOURS} h`, String(f.recentTotal)],
    ...f.recent.map((r): [string, string] => [`  ${r.id}`, `${r.type.replace('_', ' ')}${r.instanceName ? ` on ${r.instanceName}` : ''}: ${r.state.replace(/_/g, ' ')}${r.decidedBy ? ` by ${r.decidedBy}` : ''} at ${formatUtc(r.decidedAt)}`]),
    ...more(f.recent.length, f.recentTotal, 'dualkey requests --all'),
    ['Undelivered alerts', String(f.failedTotal)],
    ...f.failedAlerts.map((a): [string, string] => [`  ${a.channel} → ${a.recipient ?? 'a former admin'}`, `${a.title}${a.lastError ? ` (${a.lastError})` : ''}`]),
    ...more(f.failedAlerts.length, f.failedTotal, 'dualkey outbox --failed'),
  ];
  return {
    event: 'digest',
    title: `dualkey digest for ${tenantName} — ${f.pendingTotal} pending, ${f.instances.locked + f.instances.locking} locked, ${f.failedTotal} undelivered`,
    facts: facts_,
    actions: [],
    status: null,
    requestId: null,
    instanceName: null,
  };
}

/** Builds a tenant's digest from SQL aggregates. */
export async function buildDigest(deps: EngineDeps, tenantId: string): Promise<{ facts: DigestFacts; message: AlertMessage }> {
  const now = deps.clock.now();
  return deps.uow.run(async (store) => {
    const tenant = await store.tenants.byId(tenantId);
    if (!tenant) throw new DomainError('tenant_not_found', 'That tenant does not exist.');
    const facts = await store.digest.facts(tenantId, new Date(now.getTime() - DIGEST_RECENT_HOURS * 3_600_000), DIGEST_LIST_LIMIT);
    return { facts, message: await withAuditHead(store, renderDigest(tenant.name, facts, now)) };
  });
}
