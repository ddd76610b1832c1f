import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../../core/model/actor.js';
import { asCli, createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture, makeByok } from '../../support/key-fixtures.js';

// Issue 8 item 5: one customer key (by fingerprint) protects at most one instance at a time, across tenants.
const pfx = (name = 'rsa-2048.pfx') => ({ kind: 'upload' as const, upload: { file: fixture(name), password: FIXTURE_PASSWORD } });

describe('one key, one instance', () => {
  let h: Harness;
  let s: Seeded;
  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    await h.engine.createInstance(s.tenant.id, 'hr-prod');
  });
  afterEach(() => h.dispose());

  const statusOf = async (tenantId: string, instance: string) => {
    const [st] = await h.engine.status(tenantId, instance);
    return { keyMode: st!.keyMode, fingerprint: st!.protector.fingerprint, pending: st!.pendingRequest };
  };
  const otherTenant = async (): Promise<{ tenantId: string; dan: Actor }> => {
    const t = await h.engine.createTenant('globex', { selfManagedKeys: true });
    const dan = asCli(await h.engine.addAdmin(t.id, { email: 'dan@globex.example', name: 'Dan', role: 'global_admin', instances: [], identities: [] }));
    await h.engine.addAdmin(t.id, { email: 'eve@globex.example', name: 'Eve', role: 'global_admin', instances: [], identities: [] });
    await h.engine.createInstance(t.id, 'globex-db');
    h.clock.advanceHours(1 / 60);
    return { tenantId: t.id, dan };
  };

  it('refuses the same PFX on a second instance of the tenant with key_in_use naming the instance that uses it', async () => {
    await h.engine.changeKey(s.ann, s.instance, pfx());
    const before = await statusOf(s.tenant.id, 'hr-prod');
    const r = await refusal(() => h.engine.changeKey(s.bob, 'hr-prod', pfx('rsa-2048-legacy.pfx')));
    expect(r.code).toBe('key_in_use');
    expect(r.message).toContain('crm-prod');
    expect(await statusOf(s.tenant.id, 'hr-prod')).toEqual(before);
  });

  it('refuses the same key in another tenant with key_in_use naming neither the instance nor the tenant that uses it', async () => {
    await h.engine.changeKey(s.ann, s.instance, pfx());
    const { tenantId, dan } = await otherTenant();
    const keysBefore = (await h.vault.storedKeyIds()).sort();
    const r = await refusal(() => h.engine.changeKey(dan, 'globex-db', pfx()));
    expect(r.code).toBe('key_in_use');
    expect(r.message).not.toContain('crm-prod');
    expect(r.message).not.toContain('acme');
    expect(JSON.stringify(r.details)).not.toContain('crm-prod');
    expect((await statusOf(tenantId, 'globex-db')).keyMode).toBe('service');
    expect((await h.vault.storedKeyIds()).sort()).toEqual(keysBefore);
  });

  it('refuses the same key as a BYOK file with key_in_use and destroys the copy the vault imported', async () => {
    await h.engine.changeKey(s.ann, s.instance, pfx());
    const kek = await h.engine.ensureKek(s.ann, s.tenant.id);
    const keysBefore = (await h.vault.storedKeyIds()).sort();
    const r = await refusal(() => h.engine.changeKey(s.bob, 'hr-prod', { kind: 'upload', upload: { file: makeByok(kek.publicKeyPem, kek.kekId, fixture('rsa-2048.key.der')) } }));
    expect(r.code).toBe('key_in_use');
    expect((await h.vault.storedKeyIds()).sort()).toEqual(keysBefore);
  });

  it('still counts the key of a locked instance: its holder will unlock with it', async () => {
    const up = await h.engine.changeKey(s.ann, s.instance, pfx());
    await h.engine.decide(s.bob, up.request.id, 'approve');
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: pfx().upload });
    await h.engine.decide(s.bob, lock.id, 'approve');
    expect((await refusal(() => h.engine.changeKey(s.bob, 'hr-prod', pfx()))).code).toBe('key_in_use');
    const { dan } = await otherTenant();
    expect((await refusal(() => h.engine.changeKey(dan, 'globex-db', pfx()))).code).toBe('key_in_use');
  });

  it('frees the key once the instance using it reverts and the revert is approved (protector retired)', async () => {
    const up = await h.engine.changeKey(s.ann, s.instance, pfx());
    await h.engine.decide(s.bob, up.request.id, 'approve');
    const rv = await h.engine.changeKey(s.ann, s.instance, { kind: 'revert' });
    // While the revert awaits review the key is "previous": a rollback would restore it.
    expect((await refusal(() => h.engine.changeKey(s.bob, 'hr-prod', pfx()))).code).toBe('key_in_use');
    await h.engine.decide(s.bob, rv.request.id, 'approve');
    const moved = await h.engine.changeKey(s.bob, 'hr-prod', pfx());
    expect(moved.protector.fingerprint).toBe(up.protector.fingerprint);
  });

  it('frees the key once the key change that brought it is rolled back (protector destroyed)', async () => {
    const up = await h.engine.changeKey(s.ann, s.instance, pfx());
    await h.engine.decide(s.bob, up.request.id, 'rollback');
    expect((await h.engine.changeKey(s.bob, 'hr-prod', pfx())).protector.fingerprint).toBe(up.protector.fingerprint);
  });

  it('lets exactly one of two concurrent uploads of one key to two instances win', async () => {
    const { dan } = await otherTenant();
    const results = await Promise.allSettled([h.engine.changeKey(s.ann, 'hr-prod', pfx()), h.engine.changeKey(dan, 'globex-db', pfx())]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((lost.reason as { code?: string }).code).toBe('key_in_use');
  });

  it('has the database refuse a second live protector with the same fingerprint (protectors_fingerprint_live), whatever the use-case checked', async () => {
    const up = await h.engine.changeKey(s.ann, s.instance, pfx());
    const hr = await h.engine.deps.uow.run((store) => store.instances.byName(s.tenant.id, 'hr-prod'));
    const row = { ...up.protector, id: 'p-twin', instanceId: hr!.id, vaultKeyId: null };
    const r = await refusal(() => h.engine.deps.uow.run((store) => store.protectors.insert({ ...row, status: 'active' })));
    expect(r.code).toBe('key_in_use');
    expect(r.message).not.toContain('crm-prod');
    // Retired and destroyed protectors hold no key and do not count.
    await h.engine.deps.uow.run((store) => store.protectors.insert({ ...row, status: 'retired' }));
  });
});
