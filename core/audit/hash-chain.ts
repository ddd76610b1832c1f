import { createHash } from 'node:crypto';
import type { AuditDraft, AuditEntry } from '../model/audit-entry.js';
import type { AuditKey } from './audit-key.js';

/** The prev_hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level, so the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** The canonical form of an entry: every field but the hashes, times as ISO strings. */
export function canonicalEntry(seq: number, draft: AuditDraft): string {
  return canonicalJson({
    seq,
    at: draft.at.toISOString(),
    tenantId: draft.tenantId,
    actor: draft.actor,
    transport: draft.transport,
    action: draft.action,
    instanceName: draft.instanceName,
    requestId: draft.requestId,
    result: draft.result,
    code: draft.code,
    details: draft.details,
  });
}

/** hash = SHA-256(prevHash || canonical entry), hex. */
export function chainHash(prevHash: string, seq: number, draft: AuditDraft): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonicalEntry(seq, draft), 'utf8').digest('hex');
}

/** Links a draft after the given head and tags it with the audit key (null only builds a pre-keyed entry, for tests of legacy chains). */
export function chainEntry(head: { seq: number; hash: string }, draft: AuditDraft, key: AuditKey | null): AuditEntry {
  const seq = head.seq + 1;
  const hash = chainHash(head.hash, seq, draft);
  return { ...draft, seq, prevHash: head.hash, hash, tag: key ? key.tag(seq, hash) : null };
}
