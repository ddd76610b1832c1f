import { generateKeyPairSync } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { InstanceRef } from '../../../core/data-plane/record-service.js';
import { Pkcs11Vault } from '../../../vault/pkcs11-vault.js';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { assertInvariants } from '../../support/invariants.js';
import { FIXTURE_PASSWORD, fixture, makeByok } from '../../support/key-fixtures.js';
import { createNssToken, pkcs11TokensAvailable, type TestToken } from '../../support/pkcs11-tokens.js';
import { engineIndependentSkip } from '../../support/test-engine.js';

const pfx = (name = 'rsa-2048.pfx') => ({ file: fixture(name), password: FIXTURE_PASSWORD });

describe.skipIf(!pkcs11TokensAvailable() || engineIndependentSkip)('the key lifecycle with DUALKEY_VAULT=pkcs11 on NSS softokn', () => {
  let token: TestToken;
  let h: Harness;
  let s: Seeded;
  let ref: InstanceRef;

  beforeEach(async () => {
    // A token per test: the invariants check that the token holds no key the test's database does not know.
    token = createNssToken();
    h = await createHarness({ vault: () => Pkcs11Vault.open(token.config) });
    s = await seedTenant(h);
    const i = await h.db.uow.run((store) => store.instances.byName(s.tenant.id, s.instance));
    ref = { instanceId: i!.id, tenantId: s.tenant.id, name: s.instance };
    return async () => {
      await h.dispose();
      token.dispose();
    };
  });

  it('uploads a PFX, changes to a BYOK key, approves, locks after the cooldown and unlocks with the BYOK file', async () => {
    const upload = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: pfx() });
    await h.engine.decide(s.bob, upload.request.id, 'approve');
    await h.engine.records.put(ref, 'invoice/1', Buffer.from('100 EUR'));

    const kek = await h.engine.ensureKek(s.ann, s.tenant.id);
    const byok = makeByok(kek.publicKeyPem, kek.kekId, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'der' }));
    const change = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: byok } });
    expect((await refusal(() => h.engine.decide(s.ann, change.request.id, 'approve'))).code).toBe('self_approval');
    await h.engine.decide(s.bob, change.request.id, 'approve');
    await h.engine.records.put(ref, 'invoice/2', Buffer.from('200 EUR'));
    await assertInvariants(h, s.tenant.id, { [s.instance]: { 'invoice/1': '100 EUR', 'invoice/2': '200 EUR' } });

    h.clock.advanceHours(71);
    expect((await refusal(() => h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: { file: byok } }))).code).toBe('lock_cooldown');
    h.clock.advanceHours(1);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: { file: byok } });
    await h.engine.decide(s.bob, lock.id, 'approve');
    const [locked] = await h.engine.status(s.tenant.id, s.instance);
    expect(locked!.state).toBe('locked');
    expect((await refusal(() => h.engine.records.get(ref, 'invoice/1'))).code).toBe('instance_locked');
    // I2 in the token itself: no private key able to unwrap the instance's DEKs is left.
    expect(await h.vault.storedKeyIds('protector')).toEqual([]);
    await assertInvariants(h, s.tenant.id);

    const unlocked = await h.engine.unlock(s.cat, s.instance, { file: byok });
    expect(unlocked.state).toBe('active');
    const fresh = h.restart();
    expect((await fresh.records.get(ref, 'invoice/1')).toString()).toBe('100 EUR');
    expect((await fresh.records.get(ref, 'invoice/2')).toString()).toBe('200 EUR');
    await assertInvariants(h, s.tenant.id, { [s.instance]: { 'invoice/1': '100 EUR', 'invoice/2': '200 EUR' } });
  });

  it('locks a PFX-protected instance and unlocks it with the same PFX', async () => {
    const upload = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: pfx() });
    await h.engine.decide(s.bob, upload.request.id, 'approve');
    await h.engine.records.put(ref, 'a', Buffer.from('b'));
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: pfx() });
    await h.engine.decide(s.bob, lock.id, 'approve');
    expect(await h.vault.storedKeyIds('protector')).toEqual([]);
    expect((await refusal(() => h.engine.unlock(s.bob, s.instance, pfx('rsa-2048-other.pfx')))).code).toBe('key_mismatch');
    await h.engine.unlock(s.bob, s.instance, pfx('rsa-2048-legacy.pfx'));
    expect((await h.engine.records.get(ref, 'a')).toString()).toBe('b');
    await assertInvariants(h, s.tenant.id, { [s.instance]: { a: 'b' } });
  });
});
