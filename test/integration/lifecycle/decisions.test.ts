import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addApprovedAdmin, asCli, createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { assertInvariants } from '../../support/invariants.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

const upload = (name = 'rsa-2048.pfx') => ({ kind: 'upload' as const, upload: { file: fixture(name), password: FIXTURE_PASSWORD } });

describe('deciding key changes', () => {
  let h: Harness;
  let s: Seeded;
  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
  });
  afterEach(() => h.dispose());

  it('approves with a second admin: the previous protector is retired and its key destroyed', async () => {
    const r = await h.engine.changeKey(s.ann, s.instance, upload());
    const approved = await h.engine.decide(s.bob, r.request.id, 'approve', 'looks right');
    expect(approved).toMatchObject({ state: 'approved', decidedBy: s.bob.admin.id, decisionReason: 'looks right' });
    const protectors = await h.db.uow.run((store) => store.protectors.listByInstance(r.protector.instanceId));
    const previous = protectors.find((p) => p.id === r.request.payload.previousProtectorId)!;
    expect(previous).toMatchObject({ status: 'retired', vaultKeyId: null });
    await assertInvariants(h, s.tenant.id);
  });

  it('refuses the requester approving their own change with self_approval', async () => {
    const r = await h.engine.changeKey(s.ann, s.instance, upload());
    expect((await refusal(() => h.engine.decide(s.ann, r.request.id, 'approve'))).code).toBe('self_approval');
  });

  it('treats the same person on another platform as the same principal', async () => {
    const r = await h.engine.changeKey({ ...s.ann, transport: 'slack' }, s.instance, upload());
    expect((await refusal(() => h.engine.decide({ admin: s.ann.admin, transport: 'teams' }, r.request.id, 'approve'))).code).toBe('self_approval');
  });

  it('refuses an admin added after the request was opened with admin_too_new', async () => {
    const r = await h.engine.changeKey(s.ann, s.instance, upload());
    h.clock.advanceHours(1);
    const dan = await addApprovedAdmin(h, s, { email: 'dan@example.com', name: 'Dan', role: 'global_admin', instances: [], identities: [] });
    expect((await refusal(() => h.engine.decide(asCli(dan), r.request.id, 'approve'))).code).toBe('admin_too_new');
  });

  it('lets the requester roll back their own change, restoring the previous key', async () => {
    const [before] = await h.engine.status(s.tenant.id, s.instance);
    const r = await h.engine.changeKey(s.ann, s.instance, upload());
    const rolled = await h.engine.decide(s.ann, r.request.id, 'rollback');
    expect(rolled.state).toBe('rolled_back');
    const [after] = await h.engine.status(s.tenant.id, s.instance);
    expect(after!.protector).toEqual(before!.protector);
    expect(after!.keyMode).toBe('service');
    const fresh = await h.db.uow.run((store) => store.protectors.byId(r.protector.id));
    expect(fresh).toMatchObject({ status: 'destroyed', vaultKeyId: null });
    expect(await h.vault.publicKey(r.protector.vaultKeyId!)).toBeNull();
    await assertInvariants(h, s.tenant.id);
  });

  it('refuses a decision on a decided request with request_closed', async () => {
    const r = await h.engine.changeKey(s.ann, s.instance, upload());
    await h.engine.decide(s.bob, r.request.id, 'approve');
    expect((await refusal(() => h.engine.decide(s.cat, r.request.id, 'rollback'))).code).toBe('request_closed');
  });

  it('refuses a decision after the deadline with request_expired', async () => {
    const r = await h.engine.changeKey(s.ann, s.instance, upload());
    h.clock.advanceHours(72);
    expect((await refusal(() => h.engine.decide(s.bob, r.request.id, 'approve'))).code).toBe('request_expired');
  });

  it('refuses reject on a key change with request_type_mismatch, and an unknown id with request_not_found', async () => {
    const r = await h.engine.changeKey(s.ann, s.instance, upload());
    expect((await refusal(() => h.engine.decide(s.bob, r.request.id, 'reject'))).code).toBe('request_type_mismatch');
    expect((await refusal(() => h.engine.decide(s.bob, 'r-doesnotexist', 'approve'))).code).toBe('request_not_found');
  });

  it('refuses a decision by an admin of other instances with not_admin', async () => {
    const r = await h.engine.changeKey(s.ann, s.instance, upload());
    const dan = await addApprovedAdmin(h, s, { email: 'dan@example.com', name: 'Dan', role: 'system_admin', instances: ['hr-prod'], identities: [] });
    expect((await refusal(() => h.engine.decide(asCli(dan), r.request.id, 'rollback'))).code).toBe('not_admin');
  });

  it('decides exactly once under 20 concurrent approve and roll back clicks (I5)', async () => {
    const r = await h.engine.changeKey(s.ann, s.instance, upload());
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => h.engine.decide(i % 2 ? s.bob : s.cat, r.request.id, i % 2 ? 'approve' : 'rollback')));
    const ok = results.filter((x) => x.status === 'fulfilled');
    expect(ok).toHaveLength(1);
    for (const x of results) if (x.status === 'rejected') expect((x.reason as { code: string }).code).toBe('request_closed');
    await assertInvariants(h, s.tenant.id);
  });
});

describe('deadlines', () => {
  let h: Harness;
  let s: Seeded;
  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
  });
  afterEach(() => h.dispose());

  it('rolls back an unreviewed change at the deadline under the default policy', async () => {
    const r = await h.engine.changeKey(s.ann, s.instance, upload());
    h.clock.advanceHours(71.9);
    expect(await h.engine.sweep()).toEqual([]);
    h.clock.advanceHours(0.1);
    const [decided] = await h.engine.sweep();
    expect(decided).toMatchObject({ id: r.request.id, state: 'expired_rolled_back', decidedBy: null });
    const [status] = await h.engine.status(s.tenant.id, s.instance);
    expect(status).toMatchObject({ keyMode: 'service', pendingRequest: null });
    await assertInvariants(h, s.tenant.id);
  });

  it('keeps an unreviewed change at the deadline under the keep policy', async () => {
    await h.db.uow.run(async (store) => store.tenants.updateSettings(s.tenant.id, { ...s.tenant.settings, unreviewedChangePolicy: 'keep' }));
    const r = await h.engine.changeKey(s.ann, s.instance, upload());
    h.clock.advanceHours(72);
    const [decided] = await h.engine.sweep();
    expect(decided).toMatchObject({ id: r.request.id, state: 'expired_kept' });
    const [status] = await h.engine.status(s.tenant.id, s.instance);
    expect(status).toMatchObject({ keyMode: 'customer', protector: { fingerprint: r.protector.fingerprint } });
    await assertInvariants(h, s.tenant.id);
  });

  it('applies each deadline once when two sweeps run together', async () => {
    await h.engine.changeKey(s.ann, s.instance, upload());
    h.clock.advanceHours(72);
    const [a, b] = await Promise.all([h.engine.sweep(), h.restart().sweep()]);
    expect(a.length + b.length).toBe(1);
  });
});
