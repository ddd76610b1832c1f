import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, canonicalJson, chainEntry } from '../../../core/audit/hash-chain.js';
import { verifyChain } from '../../../core/audit/verify-chain.js';
import type { AuditDraft, AuditEntry } from '../../../core/model/audit-entry.js';

const draft = (action: string, at = '2026-11-29T09:00:00.000Z'): AuditDraft => ({
  at: new Date(at), tenantId: 't', actor: { kind: 'operator', adminId: null, email: null, impersonatedBy: null }, transport: 'cli',
  action, instanceName: null, requestId: null, result: 'ok', code: null, details: { n: 1 },
});

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  let head = { seq: 0, hash: GENESIS_HASH };
  for (let i = 0; i < n; i++) {
    const e = chainEntry(head, draft(`a${i}`));
    out.push(e);
    head = e;
  }
  return out;
}

const pager = (entries: AuditEntry[]) => async (after: number, limit: number) => entries.filter((e) => e.seq > after).slice(0, limit);

describe('the audit hash chain', () => {
  it('canonicalises objects with sorted keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('links each entry to the previous hash', () => {
    const [a, b] = chain(2);
    expect(a!.prevHash).toBe(GENESIS_HASH);
    expect(b!.prevHash).toBe(a!.hash);
    expect(b!.seq).toBe(2);
  });

  it('verifies an intact chain that ends at its anchor', async () => {
    const c = chain(1200);
    expect(await verifyChain(pager(c), { seq: 1200, hash: c[1199]!.hash })).toMatchObject({ ok: true, entries: 1200 });
  });

  it('names the altered, the missing and the truncated entry', async () => {
    const c = chain(10);
    const anchor = { seq: 10, hash: c[9]!.hash };
    const altered = c.map((e) => (e.seq === 4 ? { ...e, details: { n: 2 } } : e));
    expect(await verifyChain(pager(altered), anchor)).toMatchObject({ ok: false, firstBadSeq: 4 });
    expect(await verifyChain(pager(c.filter((e) => e.seq !== 6)), anchor)).toMatchObject({ ok: false, firstBadSeq: 6 });
    expect(await verifyChain(pager(c.slice(0, 8)), anchor)).toMatchObject({ ok: false, firstBadSeq: 9 });
    const relinked = c.map((e) => (e.seq === 5 ? { ...e, prevHash: GENESIS_HASH } : e));
    expect(await verifyChain(pager(relinked), anchor)).toMatchObject({ ok: false, firstBadSeq: 5 });
  });
});
