import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEntries } from '../../../db/schema/index.js';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

describe('the audit chain', () => {
  let h: Harness;
  let s: Seeded;
  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    const r = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    await refusal(() => h.engine.decide(s.ann, r.request.id, 'approve'));
    await h.engine.decide({ ...s.bob, transport: 'slack' }, r.request.id, 'approve');
  });
  afterEach(() => h.dispose());

  it('records who did what through which transport, including refusals, and never the password', async () => {
    const entries = await h.engine.listAudit({ tenantId: s.tenant.id }, 100);
    const actions = entries.map((e) => `${e.actor.email ?? e.actor.kind}:${e.transport}:${e.action}:${e.result}${e.code ? `:${e.code}` : ''}`).reverse();
    expect(actions).toEqual([
      'operator:cli:tenant_create:ok',
      'operator:cli:admin_add:ok',
      'operator:cli:admin_add:ok',
      'operator:cli:instance_create:ok',
      'ann@example.com:cli:admin_add_request:ok',
      'bob@example.com:cli:approve:ok',
      'ann@example.com:cli:key_upload:ok',
      'ann@example.com:cli:approve:refused:self_approval',
      'bob@example.com:slack:approve:ok',
      // The retired service key's destruction, as the key store reported it.
      'scheduler:system:key_destroyed:ok',
    ]);
    expect(entries.find((e) => e.action === 'key_destroyed')!.details).toMatchObject({ outcome: 'destroyed', recoverableUntil: null, operation: 'approved' });
    expect(entries.find((e) => e.action === 'key_upload')!.actor.impersonatedBy).toBe('operator');
    expect(JSON.stringify(entries)).not.toContain(FIXTURE_PASSWORD);
  });

  it('verifies an intact chain', async () => {
    expect(await h.engine.verifyAudit()).toMatchObject({ ok: true, entries: 10 });
  });

  it('names the first altered entry', async () => {
    await h.db.database.transaction((tx) => tx.update(auditEntries).set({ details: { forged: true } }).where(eq(auditEntries.seq, 7)));
    expect(await h.engine.verifyAudit()).toMatchObject({ ok: false, firstBadSeq: 7 });
  });

  it('names the first removed entry, in the middle and at the end', async () => {
    await h.db.database.transaction((tx) => tx.delete(auditEntries).where(eq(auditEntries.seq, 3)));
    expect(await h.engine.verifyAudit()).toMatchObject({ ok: false, firstBadSeq: 3 });
  });

  it('detects the newest entries being removed', async () => {
    await h.db.database.transaction((tx) => tx.delete(auditEntries).where(sql`${auditEntries.seq} >= 8`));
    expect(await h.engine.verifyAudit()).toMatchObject({ ok: false, firstBadSeq: 8 });
  });
});
