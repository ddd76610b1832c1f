import type { EngineDeps } from '../engine-deps.js';
import type { AuditEntry } from '../model/audit-entry.js';
import { verifyChain, type ChainVerdict } from './verify-chain.js';

/** Recent audit entries of a tenant (optionally one instance), newest first. */
export async function listAudit(deps: EngineDeps, filter: { tenantId?: string; instanceName?: string }, limit = 100): Promise<AuditEntry[]> {
  return deps.uow.run((store) => store.audit.recent(filter, limit));
}

/** Verifies the whole chain against its stored head. */
export async function verifyAudit(deps: EngineDeps): Promise<ChainVerdict> {
  const anchor = await deps.uow.run((store) => store.audit.anchor());
  return verifyChain((after, limit) => deps.uow.run((store) => store.audit.page(after, limit)), anchor);
}
