import { createPrivateKey, createPublicKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outbox } from '../../../db/schema/index.js';
import { addApprovedAdmin, asCli, createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { assertInvariants } from '../../support/invariants.js';
import { FIXTURE_PASSWORD, fixture, makeByok } from '../../support/key-fixtures.js';

const pfx = (name = 'rsa-2048.pfx') => ({ kind: 'upload' as const, upload: { file: fixture(name), password: FIXTURE_PASSWORD } });

describe('key changes', () => {
  let h: Harness;
  let s: Seeded;
  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
  });
  afterEach(() => h.dispose());

  const ref = async () => {
    const st = await h.engine.deps.uow.run((store) => store.instances.byName(s.tenant.id, s.instance));
    return { instanceId: st!.id, tenantId: s.tenant.id, name: s.instance };
  };

  it('uploads an OpenSSL PFX: re-wraps the DEK without re-encrypting records and opens a review request', async () => {
    const r0 = await ref();
    await h.engine.records.put(r0, 'customer/1', Buffer.from('Ada Lovelace'));
    const before = await h.engine.deps.uow.run((store) => store.records.all(r0.instanceId));
    const r = await h.engine.changeKey(s.ann, s.instance, pfx());
    expect(r.request).toMatchObject({ type: 'key_change', state: 'pending', requestedBy: s.ann.admin.id });
    expect(r.request.deadline.getTime() - r.request.openedAt.getTime()).toBe(72 * 3_600_000);
    expect(r.protector.kind).toBe('pfx');
    const expected = createPublicKey(createPrivateKey({ key: fixture('rsa-2048.key.pem') })).export({ format: 'der', type: 'spki' });
    expect(r.protector.publicKey.equals(expected)).toBe(true);
    const after = await h.engine.deps.uow.run((store) => store.records.all(r0.instanceId));
    expect(after[0]!.ciphertext.equals(before[0]!.ciphertext)).toBe(true);
    expect((await h.restart().records.get(r0, 'customer/1')).toString()).toBe('Ada Lovelace');
    const [status] = await h.engine.status(s.tenant.id, s.instance);
    expect(status).toMatchObject({ keyMode: 'customer', protector: { fingerprint: r.protector.fingerprint, kind: 'pfx' }, pendingRequest: { id: r.request.id } });
    await assertInvariants(h, s.tenant.id, { [s.instance]: { 'customer/1': 'Ada Lovelace' } });
  });

  it('alerts every admin of the tenant on every channel in the same transaction', async () => {
    const r = await h.engine.changeKey(s.ann, s.instance, pfx());
    const rows = await h.db.database.transaction((tx) => tx.select().from(outbox));
    const forRequest = rows.filter((o) => o.message.requestId === r.request.id);
    expect(forRequest.map((o) => o.adminId).sort()).toEqual([s.ann.admin.id, s.bob.admin.id, s.cat.admin.id].sort());
    expect(forRequest[0]!.message.actions.map((a) => a.id)).toEqual(['approve', 'rollback']);
    expect(forRequest[0]!.message.facts).toContainEqual(['New key', expect.stringContaining(r.protector.fingerprint)]);
  });

  it('generates a new RSA 2048 key delivered once as a PFX protected by the admin password', async () => {
    const r = await h.engine.changeKey(s.ann, s.instance, { kind: 'generate', password: 'a long enough password', keyName: 'Prod key 2026' });
    expect(r.pfx).toBeInstanceOf(Buffer);
    expect(r.protector).toMatchObject({ kind: 'generated', name: 'Prod key 2026' });
    const inspected = await refusal(() => h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: r.pfx!, password: 'wrong password!!' } }));
    expect(inspected.code).toBe('change_pending');
  });

  it('refuses a generated-key password shorter than 12 characters with password_too_short', async () => {
    expect((await refusal(() => h.engine.changeKey(s.ann, s.instance, { kind: 'generate', password: 'short' }))).code).toBe('password_too_short');
  });

  it('uploads a BYOK file wrapped under the tenant KEK', async () => {
    const kek = await h.engine.ensureKek(s.ann, s.tenant.id);
    const byok = makeByok(kek.publicKeyPem, kek.kekId, fixture('rsa-2048.key.der'));
    const r = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: byok } });
    expect(r.protector.kind).toBe('byok');
    await assertInvariants(h, s.tenant.id);
  });

  it('refuses a BYOK file made for another KEK id with byok_kek_mismatch', async () => {
    const kek = await h.engine.ensureKek(s.ann, s.tenant.id);
    const byok = makeByok(kek.publicKeyPem, 'kek-someone-else', fixture('rsa-2048.key.der'));
    expect((await refusal(() => h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: byok } }))).code).toBe('byok_kek_mismatch');
  });

  it('refuses a BYOK file that does not unwrap under the tenant KEK with byok_unwrap_failed', async () => {
    const kek = await h.engine.ensureKek(s.ann, s.tenant.id);
    const other = fixture('kek-test.pub.pem').toString();
    const byok = makeByok(other, kek.kekId, fixture('rsa-2048.key.der'));
    expect((await refusal(() => h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: byok } }))).code).toBe('byok_unwrap_failed');
  });

  it.each([
    ['rsa-1024.pfx', FIXTURE_PASSWORD, 'key_too_small'],
    ['ec-p256.pfx', FIXTURE_PASSWORD, 'key_type_unsupported'],
    ['cert-only.pfx', FIXTURE_PASSWORD, 'pfx_no_private_key'],
    ['rsa-2048.pfx', 'not the password', 'pfx_bad_password'],
    ['rsa-2048.pfx', undefined, 'pfx_password_required'],
    ['rsa-2048-empty-password.pfx', '', 'pfx_password_required'],
  ])('refuses the upload of %s with %s → %s, leaving the instance untouched', async (file, password, code) => {
    expect((await refusal(() => h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture(file), password } }))).code).toBe(code);
    const [status] = await h.engine.status(s.tenant.id, s.instance);
    expect(status).toMatchObject({ keyMode: 'service', pendingRequest: null });
  });

  it('refuses random bytes and oversized files with keyfile_malformed', async () => {
    const random = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256));
    expect((await refusal(() => h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: random, password: 'x' } }))).code).toBe('keyfile_malformed');
    expect((await refusal(() => h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: Buffer.alloc(65 * 1024, 0x30), password: 'x' } }))).code).toBe('keyfile_malformed');
  });

  it('refuses every key operation on a tenant without the plan with plan_not_entitled', async () => {
    await h.dispose();
    h = await createHarness();
    s = await seedTenant(h, { selfManagedKeys: false });
    expect((await refusal(() => h.engine.changeKey(s.ann, s.instance, pfx()))).code).toBe('plan_not_entitled');
    expect((await refusal(() => h.engine.changeKey(s.ann, s.instance, { kind: 'generate', password: 'a long enough password' }))).code).toBe('plan_not_entitled');
    expect((await refusal(() => h.engine.ensureKek(s.ann, s.tenant.id))).code).toBe('plan_not_entitled');
    expect((await refusal(() => h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } }))).code).toBe('plan_not_entitled');
  });

  it('refuses an admin of other instances with not_admin', async () => {
    const dan = await addApprovedAdmin(h, s, { email: 'dan@example.com', name: 'Dan', role: 'system_admin', instances: ['hr-prod'], identities: [] });
    expect((await refusal(() => h.engine.changeKey(asCli(dan), s.instance, pfx()))).code).toBe('not_admin');
  });

  it('refuses a second key change while one awaits review with change_pending', async () => {
    await h.engine.changeKey(s.ann, s.instance, pfx());
    expect((await refusal(() => h.engine.changeKey(s.bob, s.instance, pfx('rsa-2048-other.pfx')))).code).toBe('change_pending');
  });

  it('refuses uploading the key already protecting the instance with key_already_current', async () => {
    const r = await h.engine.changeKey(s.ann, s.instance, pfx());
    await h.engine.decide(s.bob, r.request.id, 'approve');
    expect((await refusal(() => h.engine.changeKey(s.ann, s.instance, pfx()))).code).toBe('key_already_current');
  });

  it('refuses to revert an instance already on the service key with already_service_managed', async () => {
    expect((await refusal(() => h.engine.changeKey(s.ann, s.instance, { kind: 'revert' }))).code).toBe('already_service_managed');
  });

  it('reverts a customer key to a new service-managed key', async () => {
    const up = await h.engine.changeKey(s.ann, s.instance, pfx());
    await h.engine.decide(s.bob, up.request.id, 'approve');
    await h.engine.records.put(await ref(), 'k', Buffer.from('v'));
    const rv = await h.engine.changeKey(s.cat, s.instance, { kind: 'revert' });
    expect(rv.protector.kind).toBe('service');
    await h.engine.decide(s.ann, rv.request.id, 'approve');
    const [status] = await h.engine.status(s.tenant.id, s.instance);
    expect(status).toMatchObject({ keyMode: 'service', pendingRequest: null });
    await assertInvariants(h, s.tenant.id, { [s.instance]: { k: 'v' } });
  });

  it('refuses a missing instance with instance_not_found', async () => {
    expect((await refusal(() => h.engine.changeKey(s.ann, 'nope', pfx()))).code).toBe('instance_not_found');
  });
});
