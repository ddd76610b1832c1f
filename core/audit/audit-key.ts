import { createHmac } from 'node:crypto';
import type { Vault } from '../ports/vault.js';

/** What the vault is asked to tag once per process; its answer is the chain's HMAC key. */
const KEY_LABEL = 'dualkey audit chain key v1';

/** The keyed half of the audit chain: a tag over an entry's position and hash that the database alone cannot compute. */
export interface AuditKey {
  /** Hex HMAC-SHA256 over (seq, hash); the hash already binds every earlier entry. */
  tag(seq: number, hash: string): string;
}

/** An AuditKey from raw key bytes (the vault's tag of the label). */
export function auditKeyFrom(key: Buffer): AuditKey {
  const k = Buffer.from(key);
  return { tag: (seq, hash) => createHmac('sha256', k).update(`dualkey-audit-tag-v1\n${seq}\n${hash}`, 'utf8').digest('hex') };
}

/**
 * Derives the chain key from the vault with one `auditTag` call: every process of a deployment gets the same
 * key, and a remote vault (HSM, Key Vault) is asked once per process instead of once per entry (and never
 * inside a database transaction).
 */
export async function deriveAuditKey(vault: Vault): Promise<AuditKey> {
  return auditKeyFrom(await vault.auditTag(Buffer.from(KEY_LABEL, 'utf8')));
}

/** The chain head as alerts and digests show it, and as `audit verify --against` takes it back. */
export function formatAuditHead(head: { seq: number; hash: string }): string {
  return `audit #${head.seq} · ${head.hash.slice(0, 8)}`;
}
