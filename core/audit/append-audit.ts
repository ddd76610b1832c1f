import type { AuditActor, AuditDraft } from '../model/audit-entry.js';
import type { Actor } from '../model/actor.js';
import type { Store } from '../ports/store.js';
import { chainEntry } from './hash-chain.js';

/** Appends one entry to the chain inside the caller's transaction (I4: with the state change it records). */
export async function appendAudit(store: Store, draft: AuditDraft): Promise<void> {
  // Never write an untagged entry: it would look like a pre-keyed one and weaken the chain (I6).
  if (!store.auditKey) throw new Error('the audit key could not be derived from the vault; nothing was recorded (is the vault reachable?)');
  const head = await store.audit.lockHead();
  await store.audit.insert(chainEntry(head, draft, store.auditKey));
}

/** The audit view of an admin actor. */
export function auditActorOf(actor: Actor): AuditActor {
  return { kind: 'admin', adminId: actor.admin.id, email: actor.admin.email, impersonatedBy: actor.impersonatedBy ?? null };
}

/** A k-of-n decision's audit field naming the earlier approvers (none: no field). */
export function approvedWith(earlier: ReadonlyArray<{ email: string }>): { approvedWith?: string } {
  return earlier.length > 0 ? { approvedWith: earlier.map((a) => a.email).join(' ') } : {};
}

/** The audit view of the operator (CLI without --as) or the scheduler. */
export function systemAuditActor(kind: 'operator' | 'scheduler'): AuditActor {
  return { kind, adminId: null, email: null, impersonatedBy: null };
}
