import type { AuditEntry } from '../model/audit-entry.js';
import type { AuditKey } from './audit-key.js';
import { GENESIS_HASH, chainHash } from './hash-chain.js';

/** A chain head held outside the database (from an alert or digest): its seq and a prefix of its hash. */
export interface AuditHeadRef {
  seq: number;
  hashPrefix: string;
}

/**
 * Outcome of a chain verification; `firstBadSeq` names the first entry that was altered, removed or inserted.
 * `keyedFrom` is the first entry carrying a keyed tag (null when none does): entries before it were written
 * before keyed audit and are sealed only by that entry's tag, which chains over them.
 */
export type ChainVerdict =
  | { ok: true; entries: number; headSeq: number; headHash: string; keyedFrom: number | null; legacyEntries: number; against: AuditHeadRef | null }
  | { ok: false; entries: number; firstBadSeq: number; reason: string };

const bad = (entries: number, firstBadSeq: number, reason: string): ChainVerdict => ({ ok: false, entries, firstBadSeq, reason });

/**
 * Walks the chain page by page and checks sequence, links, hashes, every keyed tag (with the vault-derived key),
 * the stored anchor and, when given, a head taken from outside the database.
 */
export async function verifyChain(
  page: (afterSeq: number, limit: number) => Promise<AuditEntry[]>,
  anchor: { seq: number; hash: string } | null,
  key: AuditKey,
  against: AuditHeadRef | null = null,
): Promise<ChainVerdict> {
  let prev = { seq: 0, hash: GENESIS_HASH };
  let count = 0;
  let keyedFrom: number | null = null;
  for (;;) {
    const rows = await page(prev.seq, 500);
    if (rows.length === 0) break;
    for (const e of rows) {
      if (e.seq !== prev.seq + 1) return bad(count, prev.seq + 1, `entry ${prev.seq + 1} is missing`);
      if (e.prevHash !== prev.hash) return bad(count, e.seq, `entry ${e.seq} does not link to entry ${prev.seq}`);
      if (chainHash(e.prevHash, e.seq, e) !== e.hash) return bad(count, e.seq, `entry ${e.seq} was altered`);
      if (e.tag === null) {
        // Keyless entries exist only before the first keyed one; a later one had its tag stripped.
        if (keyedFrom !== null) return bad(count, e.seq, `entry ${e.seq} has no keyed tag although keyed audit began at entry ${keyedFrom}`);
      } else {
        keyedFrom ??= e.seq;
        if (key.tag(e.seq, e.hash) !== e.tag) {
          return bad(count, e.seq, `entry ${e.seq} does not carry the tag of this deployment's audit key: it was rewritten, or written under another vault key`);
        }
      }
      if (against && e.seq === against.seq) {
        if (!e.hash.startsWith(against.hashPrefix)) return bad(count, e.seq, `entry ${e.seq} is not the one the head ${against.seq}:${against.hashPrefix} names: the chain was rewritten since`);
        if (e.tag === null) return bad(count, e.seq, `entry ${e.seq}, named by --against, carries no keyed tag: a head shown in an alert or digest is always keyed`);
      }
      prev = { seq: e.seq, hash: e.hash };
      count++;
    }
  }
  if (against && against.seq > prev.seq) return bad(count, prev.seq + 1, `entry ${against.seq}, named by --against, is gone: the chain was truncated after entry ${prev.seq}`);
  const expected = anchor ?? { seq: 0, hash: GENESIS_HASH };
  if (expected.seq > prev.seq) return bad(count, prev.seq + 1, `entries ${prev.seq + 1}..${expected.seq} were removed`);
  if (expected.seq !== prev.seq || expected.hash !== prev.hash) return bad(count, expected.seq + 1, 'the chain does not end at the recorded head');
  const legacyEntries = keyedFrom === null ? count : keyedFrom - 1;
  return { ok: true, entries: count, headSeq: prev.seq, headHash: prev.hash, keyedFrom, legacyEntries, against };
}
