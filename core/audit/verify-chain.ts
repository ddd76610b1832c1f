import type { AuditEntry } from '../model/audit-entry.js';
import { GENESIS_HASH, chainHash } from './hash-chain.js';

/** Outcome of a chain verification; `firstBadSeq` names the first entry that was altered, removed or inserted. */
export type ChainVerdict =
  | { ok: true; entries: number; headHash: string }
  | { ok: false; entries: number; firstBadSeq: number; reason: string };

/** Walks the chain page by page and checks sequence, links, hashes and the stored anchor. */
export async function verifyChain(
  page: (afterSeq: number, limit: number) => Promise<AuditEntry[]>,
  anchor: { seq: number; hash: string } | null,
): Promise<ChainVerdict> {
  let prev = { seq: 0, hash: GENESIS_HASH };
  let count = 0;
  for (;;) {
    const rows = await page(prev.seq, 500);
    if (rows.length === 0) break;
    for (const e of rows) {
      if (e.seq !== prev.seq + 1) return { ok: false, entries: count, firstBadSeq: prev.seq + 1, reason: `entry ${prev.seq + 1} is missing` };
      if (e.prevHash !== prev.hash) return { ok: false, entries: count, firstBadSeq: e.seq, reason: `entry ${e.seq} does not link to entry ${prev.seq}` };
      if (chainHash(e.prevHash, e.seq, e) !== e.hash) return { ok: false, entries: count, firstBadSeq: e.seq, reason: `entry ${e.seq} was altered` };
      prev = { seq: e.seq, hash: e.hash };
      count++;
    }
  }
  const expected = anchor ?? { seq: 0, hash: GENESIS_HASH };
  if (expected.seq > prev.seq) return { ok: false, entries: count, firstBadSeq: prev.seq + 1, reason: `entries ${prev.seq + 1}..${expected.seq} were removed` };
  if (expected.seq !== prev.seq || expected.hash !== prev.hash) return { ok: false, entries: count, firstBadSeq: expected.seq + 1, reason: 'the chain does not end at the recorded head' };
  return { ok: true, entries: count, headHash: prev.hash };
}
