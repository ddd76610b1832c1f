import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceRef } from '../../../core/data-plane/record-service.js';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { assertInvariants } from '../../support/invariants.js';
import { FIXTURE_PASSWORD, fixture, makeByok } from '../../support/key-fixtures.js';

const file = (name = 'rsa-2048.pfx', password: string | undefined = FIXTURE_PASSWORD) => ({ file: fixture(name), password });

describe('locking and unlocking', () => {
  let h: Harness;
  let s: Seeded;
  let ref: InstanceRef;

  /** Upload the fixture key, approve it, write records, and wait out the cooldown. */
  async function customerKeyed(): Promise<void> {
    const r = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file() });
    await h.engine.decide(s.bob, r.request.id, 'approve');
    await h.engine.records.put(ref, 'invoice/1', Buffer.from('100 EUR'));
    await h.engine.records.put(ref, 'invoice/2', Buffer.from([0, 1, 2, 255]));
  }

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    const i = await h.db.uow.run((store) => store.instances.byName(s.tenant.id, s.instance));
    ref = { instanceId: i!.id, tenantId: s.tenant.id, name: s.instance };
  });
  afterEach(() => h.dispose());

  it('refuses a lock within 72 hours of a key change with lock_cooldown carrying when it becomes allowed', async () => {
    await customerKeyed();
    h.clock.advanceHours(71);
    const r = await refusal(() => h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() }));
    expect(r.code).toBe('lock_cooldown');
    const [status] = await h.engine.status(s.tenant.id, s.instance);
    expect(r.details.lockAllowedAt).toBe(status!.lockAllowedAt);
    expect(new Date(String(r.details.lockAllowedAt)).getTime() - h.clock.now().getTime()).toBe(3_600_000);
  });

  it('locks with a second admin: the instance goes offline and no key material remains (I2)', async () => {
    await customerKeyed();
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
    expect(lock).toMatchObject({ type: 'lock', state: 'pending' });
    expect((await h.engine.records.get(ref, 'invoice/1')).toString()).toBe('100 EUR');
    expect((await refusal(() => h.engine.decide(s.ann, lock.id, 'approve'))).code).toBe('self_approval');
    await h.engine.decide(s.bob, lock.id, 'approve');
    const [status] = await h.engine.status(s.tenant.id, s.instance);
    expect(status!.state).toBe('locked');
    expect((await refusal(() => h.engine.records.get(ref, 'invoice/1'))).code).toBe('instance_locked');
    expect((await refusal(() => h.engine.records.put(ref, 'x', Buffer.from('y')))).code).toBe('instance_locked');
    expect((await refusal(() => h.engine.createBackup(s.tenant.id, s.instance))).code).toBe('instance_locked');
    expect((await refusal(() => h.engine.changeKey(s.ann, s.instance, { kind: 'revert' }))).code).toBe('instance_locked');
    await assertInvariants(h, s.tenant.id);
  });

  it('unlocks with the same key file and password: records are intact', async () => {
    await customerKeyed();
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
    await h.engine.decide(s.cat, lock.id, 'approve');
    expect((await refusal(() => h.engine.unlock(s.bob, s.instance, file('rsa-2048-other.pfx')))).code).toBe('key_mismatch');
    expect((await refusal(() => h.engine.unlock(s.bob, s.instance, file('rsa-2048.pfx', 'wrong password')))).code).toBe('pfx_bad_password');
    const unlocked = await h.engine.unlock(s.bob, s.instance, file('rsa-2048-legacy.pfx'));
    expect(unlocked.state).toBe('active');
    const fresh = h.restart();
    expect((await fresh.records.get(ref, 'invoice/1')).toString()).toBe('100 EUR');
    expect(await fresh.records.get(ref, 'invoice/2')).toEqual(Buffer.from([0, 1, 2, 255]));
    await assertInvariants(h, s.tenant.id, { [s.instance]: { 'invoice/1': '100 EUR' } });
  });

  it('unlocks a BYOK-protected instance with the BYOK file', async () => {
    const kek = await h.engine.ensureKek(s.ann, s.tenant.id);
    const byok = makeByok(kek.publicKeyPem, kek.kekId, fixture('rsa-2048.key.der'));
    const r = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: byok } });
    await h.engine.decide(s.bob, r.request.id, 'approve');
    await h.engine.records.put(ref, 'a', Buffer.from('b'));
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: { file: byok } });
    await h.engine.decide(s.bob, lock.id, 'approve');
    await h.engine.unlock(s.ann, s.instance, { file: byok });
    expect((await h.engine.records.get(ref, 'a')).toString()).toBe('b');
  });

  it('refuses a lock whose typed confirmation differs from the instance name with confirmation_mismatch', async () => {
    await customerKeyed();
    h.clock.advanceHours(72);
    expect((await refusal(() => h.engine.requestLock(s.ann, s.instance, { confirm: 'crm-prd', upload: file() }))).code).toBe('confirmation_mismatch');
  });

  it('refuses a lock with a key file that is not the current key with key_mismatch', async () => {
    await customerKeyed();
    h.clock.advanceHours(72);
    expect((await refusal(() => h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file('rsa-2048-other.pfx') }))).code).toBe('key_mismatch');
  });

  it('refuses to lock an instance on the service-managed key with customer_key_required', async () => {
    expect((await refusal(() => h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() }))).code).toBe('customer_key_required');
  });

  it('refuses a lock while a key change is pending with change_pending, and a key change while a lock is pending with lock_pending', async () => {
    await customerKeyed();
    const change = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file('rsa-2048-other.pfx') });
    h.clock.advanceHours(1);
    expect((await refusal(() => h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() }))).code).toBe('change_pending');
    await h.engine.decide(s.ann, change.request.id, 'rollback');
    h.clock.advanceHours(72);
    await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
    expect((await refusal(() => h.engine.changeKey(s.bob, s.instance, { kind: 'revert' }))).code).toBe('lock_pending');
    expect((await refusal(() => h.engine.requestLock(s.bob, s.instance, { confirm: s.instance, upload: file() }))).code).toBe('lock_pending');
  });

  it('counts a rollback as a key change for the cooldown', async () => {
    await customerKeyed();
    h.clock.advanceHours(72);
    const change = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: file('rsa-2048-other.pfx') });
    await h.engine.decide(s.bob, change.request.id, 'rollback');
    h.clock.advanceHours(71);
    expect((await refusal(() => h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() }))).code).toBe('lock_cooldown');
  });

  it('rejects a lock: nothing changes and the data keeps serving', async () => {
    await customerKeyed();
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
    expect((await refusal(() => h.engine.decide(s.bob, lock.id, 'rollback'))).code).toBe('request_type_mismatch');
    expect((await h.engine.decide(s.ann, lock.id, 'reject')).state).toBe('rejected');
    expect((await h.engine.records.get(ref, 'invoice/1')).toString()).toBe('100 EUR');
  });

  it('expires an unapproved lock after its 24-hour approval window', async () => {
    await customerKeyed();
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: file() });
    h.clock.advanceHours(24);
    expect((await refusal(() => h.engine.decide(s.bob, lock.id, 'approve'))).code).toBe('request_expired');
    const [expired] = await h.engine.sweep();
    expect(expired).toMatchObject({ id: lock.id, state: 'expired' });
    const [status] = await h.engine.status(s.tenant.id, s.instance);
    expect(status!.state).toBe('active');
  });

  it('refuses to unlock an instance that is not locked with instance_not_active', async () => {
    expect((await refusal(() => h.engine.unlock(s.ann, s.instance, file()))).code).toBe('instance_not_active');
  });
});
