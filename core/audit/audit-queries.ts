import type { EngineDeps } from '../engine-deps.js';
import type { AuditEntry } from '../model/audit-entry.js';
import { deriveAuditKey } from './audit-key.js';
import type { KeyedUnitOfWork } from './keyed-unit-of-work.js';
import { verifyChain, type AuditHeadRef, type ChainVerdict } from './verify-chain.js';

/** Recent audit entries of a tenant (optionally one instance), newest first. */
export async function listAudit(deps: EngineDeps, filter: { tenantId?: string; instanceName?: string }, limit = 100): Promise<AuditEntry[]> {
  return deps.uow.run((store) => store.audit.recent(filter, limit));
}

/** Verifies the whole chain, every keyed tag with the vault's audit key, the stored head and, when given, a head held outside the database. */
export async function verifyAudit(deps: EngineDeps, against: AuditHeadRef | null = null): Promise<ChainVerdict> {
  const uow = deps.uow as Partial<KeyedUnitOfWork>;
  const key = uow.auditKey ? await uow.auditKey() : await deriveAuditKey(deps.vault);
  const anchor = await deps.uow.run((store) => store.audit.anchor());
  return verifyChain((after, limit) => deps.uow.run((store) => store.audit.page(after, limit)), anchor, key, against);
}

/** The current chain head (seq and hash), or null for an empty chain. */
export async function auditHead(deps: EngineDeps): Promise<{ seq: number; hash: string } | null> {
  return deps.uow.run((store) => store.audit.anchor());
}
