import { describe, expect, it } from 'vitest';
import { auditKeyFrom, formatAuditHead } from '../../../core/audit/audit-key.js';
import { GENESIS_HASH, canonicalJson, chainEntry, chainHash } from '../../../core/audit/hash-chain.js';
import { verifyChain } from '../../../core/audit/verify-chain.js';
import type { AuditDraft, AuditEntry } from '../../../core/model/audit-entry.js';

const draft = (action: string, at = '2026-11-29T09:00:00.000Z'): AuditDraft => ({
  at: new Date(at), tenantId: 't', actor: { kind: 'operator', adminId: null, email: null, impersonatedBy: null }, transport: 'cli',
  action, instanceName: null, requestId: null, result: 'ok', code: null, details: { n: 1 },
});

const key = auditKeyFrom(Buffer.alloc(32, 7));
const otherKey = auditKeyFrom(Buffer.alloc(32, 8));

/** `legacy` entries first (keyless, as before keyed audit), then keyed ones. */
function chain(n: number, legacy = 0): AuditEntry[] {
  const out: AuditEntry[] = [];
  let head = { seq: 0, hash: GENESIS_HASH };
  for (let i = 0; i < n; i++) {
    const e = chainEntry(head, draft(`a${i}`), i < legacy ? null : key);
    out.push(e);
    head = e;
  }
  return out;
}

const pager = (entries: AuditEntry[]) => async (after: number, limit: number) => entries.filter((e) => e.seq > after).slice(0, limit);
const anchorOf = (c: AuditEntry[]) => ({ seq: c.at(-1)!.seq, hash: c.at(-1)!.hash });

/** What someone who can write the database does: change entries and recompute every keyless hash after them the old way. */
function rewrite(c: AuditEntry[], seq: number, change: Partial<AuditDraft>): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (const e of c) {
    const d = e.seq === seq ? { ...e, ...change } : e;
    const hash = chainHash(prevHash, d.seq, d);
    out.push({ ...d, prevHash, hash });
    prevHash = hash;
  }
  return out;
}

describe('the audit hash chain', () => {
  it('canonicalises objects with sorted keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('links each entry to the previous hash and tags it with the audit key', () => {
    const [a, b] = chain(2);
    expect(a!.prevHash).toBe(GENESIS_HASH);
    expect(b!.prevHash).toBe(a!.hash);
    expect(b!.seq).toBe(2);
    expect(b!.tag).toBe(key.tag(2, b!.hash));
    expect(b!.tag).not.toBe(otherKey.tag(2, b!.hash));
  });

  it('verifies an intact chain that ends at its anchor', async () => {
    const c = chain(1200);
    expect(await verifyChain(pager(c), anchorOf(c), key)).toMatchObject({ ok: true, entries: 1200, keyedFrom: 1, legacyEntries: 0 });
  });

  it('names the altered, the missing and the truncated entry', async () => {
    const c = chain(10);
    const anchor = anchorOf(c);
    const altered = c.map((e) => (e.seq === 4 ? { ...e, details: { n: 2 } } : e));
    expect(await verifyChain(pager(altered), anchor, key)).toMatchObject({ ok: false, firstBadSeq: 4 });
    expect(await verifyChain(pager(c.filter((e) => e.seq !== 6)), anchor, key)).toMatchObject({ ok: false, firstBadSeq: 6 });
    expect(await verifyChain(pager(c.slice(0, 8)), anchor, key)).toMatchObject({ ok: false, firstBadSeq: 9 });
    const relinked = c.map((e) => (e.seq === 5 ? { ...e, prevHash: GENESIS_HASH } : e));
    expect(await verifyChain(pager(relinked), anchor, key)).toMatchObject({ ok: false, firstBadSeq: 5 });
  });

  it('fails a chain rewritten with recomputed keyless hashes, naming the first rewritten entry', async () => {
    const c = chain(10);
    const forged = rewrite(c, 4, { actor: { kind: 'admin', adminId: 'adm_bob', email: 'bob@example.com', impersonatedBy: null }, transport: 'slack' });
    // Links and keyless hashes are all consistent again, and so is the anchor the forger rewrote: only the tag can tell.
    const verdict = await verifyChain(pager(forged), anchorOf(forged), key);
    expect(verdict).toMatchObject({ ok: false, firstBadSeq: 4 });
    expect(!verdict.ok && verdict.reason).toContain('tag');
  });

  it('fails an entry whose tag was stripped to pass it off as written before keyed audit', async () => {
    const c = chain(10, 3);
    const stripped = rewrite(c, 6, { details: { n: 9 } }).map((e) => (e.seq >= 6 ? { ...e, tag: null } : e));
    expect(await verifyChain(pager(stripped), anchorOf(stripped), key)).toMatchObject({ ok: false, firstBadSeq: 6 });
  });

  it('accepts entries written before keyed audit, sealed by the first keyed entry, and says where keyed protection begins', async () => {
    const c = chain(10, 4);
    expect(c[4]!.prevHash).toBe(c[3]!.hash);
    expect(await verifyChain(pager(c), anchorOf(c), key)).toMatchObject({ ok: true, entries: 10, keyedFrom: 5, legacyEntries: 4 });
    // A legacy entry rewritten afterwards breaks the first keyed entry's tag, which chains over it.
    const forged = rewrite(c, 2, { details: { n: 5 } });
    expect(await verifyChain(pager(forged), anchorOf(forged), key)).toMatchObject({ ok: false, firstBadSeq: 5 });
  });

  it('fails with a different audit key at the first keyed entry', async () => {
    const c = chain(6, 2);
    expect(await verifyChain(pager(c), anchorOf(c), otherKey)).toMatchObject({ ok: false, firstBadSeq: 3 });
  });

  it('checks a head held outside the database: passes while the chain holds it, fails once truncated or rewritten', async () => {
    const c = chain(10);
    const head = { seq: 7, hashPrefix: c[6]!.hash.slice(0, 8) };
    expect(formatAuditHead(c[6]!)).toBe(`audit #7 · ${head.hashPrefix}`);
    expect(await verifyChain(pager(c), anchorOf(c), key, head)).toMatchObject({ ok: true, against: head });
    const truncated = c.slice(0, 5);
    expect(await verifyChain(pager(truncated), anchorOf(truncated), key, head)).toMatchObject({ ok: false, firstBadSeq: 6 });
    const tagless = c.map((e) => ({ ...e, tag: null }));
    expect(await verifyChain(pager(tagless), anchorOf(tagless), key)).toMatchObject({ ok: true, keyedFrom: null });
    expect(await verifyChain(pager(tagless), anchorOf(tagless), key, head)).toMatchObject({ ok: false, firstBadSeq: 7 });
  });
});
