import { formatAuditHead } from '../audit/audit-key.js';
import type { AlertMessage } from '../model/outbox-message.js';
import type { Store } from '../ports/store.js';

/** The label of the fact that carries the audit chain head. */
export const AUDIT_HEAD_LABEL = 'Audit head';

/**
 * The message with the current audit chain head as its last fact ("audit #1234 · 9f3a2c1b"), read in the
 * caller's transaction after its audit entry. Every copy an admin receives (chat, e-mail, inbox) then holds
 * an anchor outside the database that `dualkey audit verify --against 1234:9f3a2c1b` checks later.
 */
export async function withAuditHead(store: Store, message: AlertMessage): Promise<AlertMessage> {
  const head = await store.audit.anchor();
  const facts = message.facts.filter(([label]) => label !== AUDIT_HEAD_LABEL);
  return { ...message, facts: head ? [...facts, [AUDIT_HEAD_LABEL, formatAuditHead(head)]] : facts };
}
