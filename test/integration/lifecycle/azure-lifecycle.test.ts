import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { InstanceRef } from '../../../core/data-plane/record-service.js';
import { createAzureHarness, type AzureHarness } from '../../support/azure-harness.js';
import { refusal, seedTenant, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture, makeByok } from '../../support/key-fixtures.js';
import { engineIndependentSkip } from '../../support/test-engine.js';

const pfx = (name = 'rsa-2048.pfx') => ({ file: fixture(name), password: FIXTURE_PASSWORD });

async function setup(purgeProtection: boolean): Promise<{ h: AzureHarness; s: Seeded; ref: InstanceRef }> {
  const h = await createAzureHarness({ purgeProtection });
  const s = await seedTenant(h);
  const i = await h.db.uow.run((store) => store.instances.byName(s.tenant.id, s.instance));
  return { h, s, ref: { instanceId: i!.id, tenantId: s.tenant.id, name: s.instance } };
}

async function currentVaultKey(h: AzureHarness, s: Seeded): Promise<string | null> {
  const i = await h.db.uow.run((store) => store.instances.byName(s.tenant.id, s.instance));
  return (await h.db.uow.run((store) => store.protectors.byId(i!.protectorId)))!.vaultKeyId;
}

describe.skipIf(engineIndependentSkip)('the whole key lifecycle with DUALKEY_VAULT=azure against the fake Key Vault', () => {
  let h: AzureHarness | undefined;
  afterEach(() => h?.dispose());

  it('uploads a PFX, then a BYOK file, approves both, locks after the cooldown, and unlocks with the BYOK file', async () => {
    const w = await setup(false);
    h = w.h;
    const { s, ref } = w;
    const serviceKey = await currentVaultKey(h, s);
    expect(h.world.keyVault.state(serviceKey!)).toBe('active');

    const upload = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: pfx('rsa-2048-other.pfx') });
    expect((await refusal(() => h!.engine.decide(s.ann, upload.request.id, 'approve'))).code).toBe('self_approval');
    await h.engine.decide(s.bob, upload.request.id, 'approve');
    expect(h.world.keyVault.state(serviceKey!)).toBe('absent'); // the retired service key was deleted and purged
    await h.engine.records.put(ref, 'invoice/1', Buffer.from('100 EUR'));

    // BYOK: the KEK is created in the vault; the blob goes to the vault's own import, untouched.
    const kek = await h.engine.ensureKek(s.ann, s.tenant.id);
    const byok = makeByok(kek.publicKeyPem, kek.kekId, fixture('rsa-2048.key.der'));
    const ciphertext = Buffer.from((JSON.parse(byok.toString()) as { ciphertext: string }).ciphertext, 'base64url');
    const before = h.world.keyVault.calls.length;
    const change = await h.engine.changeKey(s.bob, s.instance, { kind: 'upload', upload: { file: byok } });
    const during = h.world.keyVault.calls.slice(before);
    const byokKey = await currentVaultKey(h, s);
    const imports = during.filter((c) => c.method === 'PUT' && c.path === `/keys/${byokKey}` && c.status === 200);
    expect(imports).toHaveLength(1);
    const jwk = (imports[0]!.request as { key: Record<string, unknown> }).key;
    const sent = JSON.parse(Buffer.from(String(jwk.key_hsm), 'base64url').toString()) as { ciphertext: string };
    expect(Buffer.from(sent.ciphertext, 'base64url').equals(ciphertext)).toBe(true);
    expect(jwk.d).toBeUndefined();
    // Every unwrap during the upload returned a 32-byte DEK (re-wrapping), none returned key bytes.
    const unwraps = during.filter((c) => c.path.endsWith('/unwrapkey'));
    expect(unwraps.length).toBeGreaterThan(0);
    for (const u of unwraps) {
      expect(u.path).not.toContain(kek.kekId);
      expect(Buffer.from(String((u.response as { value: string }).value), 'base64url').length).toBe(32);
    }
    await h.engine.decide(s.ann, change.request.id, 'approve');
    expect((await h.engine.records.get(ref, 'invoice/1')).toString()).toBe('100 EUR');

    h.clock.advanceHours(71);
    expect((await refusal(() => h!.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: { file: byok } }))).code).toBe('lock_cooldown');
    h.clock.advanceHours(1);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: { file: byok } });
    await h.engine.decide(s.cat, lock.id, 'approve');
    const [locked] = await h.engine.status(s.tenant.id, s.instance);
    expect(locked).toMatchObject({ state: 'locked', keyDestruction: { outcome: 'destroyed', recoverableUntil: null } });
    expect(h.world.keyVault.state(byokKey!)).toBe('absent');
    expect((await refusal(() => h!.engine.records.get(ref, 'invoice/1'))).code).toBe('instance_locked');

    expect((await refusal(() => h!.engine.unlock(s.bob, s.instance, pfx('rsa-2048-other.pfx')))).code).toBe('key_mismatch');
    const unlocked = await h.engine.unlock(s.bob, s.instance, { file: byok });
    expect(unlocked.state).toBe('active');
    expect(h.world.keyVault.state((await currentVaultKey(h, s))!)).toBe('active');
    expect((await h.engine.records.get(ref, 'invoice/1')).toString()).toBe('100 EUR');
    expect(await h.engine.verifyAudit()).toMatchObject({ ok: true });
  }, 120_000);

  it('refuses a corrupted BYOK file with byok_unwrap_failed and a 1024-bit BYOK key with key_too_small, leaving no key in the vault', async () => {
    const w = await setup(false);
    h = w.h;
    const { s } = w;
    const kek = await h.engine.ensureKek(s.ann, s.tenant.id);
    const good = JSON.parse(makeByok(kek.publicKeyPem, kek.kekId, fixture('rsa-2048.key.der')).toString()) as { ciphertext: string };
    const blob = Buffer.from(good.ciphertext, 'base64url');
    blob[blob.length - 9]! ^= 0x40;
    const corrupted = Buffer.from(JSON.stringify({ ...good, ciphertext: blob.toString('base64url') }));
    expect((await refusal(() => h!.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: corrupted } }))).code).toBe('byok_unwrap_failed');
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'der' });
    const keysBefore = h.world.keyVault.keyNames().length;
    expect((await refusal(() => h!.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: makeByok(kek.publicKeyPem, kek.kekId, small) } }))).code).toBe('key_too_small');
    // The vault imported the 1024-bit key (only it could see its size); dualkey destroyed it at once.
    expect(h.world.keyVault.keyNames().length).toBe(keysBefore);
    const [status] = await h.engine.status(s.tenant.id, s.instance);
    expect(status!.keyMode).toBe('service');
  }, 60_000);

  it('with purge protection, a lock reports the key deleted and recoverable until its purge date in the protector row, the audit and status', async () => {
    const w = await setup(true);
    h = w.h;
    const { s, ref } = w;
    const upload = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: pfx() });
    await h.engine.decide(s.bob, upload.request.id, 'approve');
    await h.engine.records.put(ref, 'a', Buffer.from('b'));
    const customerKey = await currentVaultKey(h, s);
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: pfx() });
    const lockedAt = h.clock.now();
    await h.engine.decide(s.bob, lock.id, 'approve');
    const purgeDate = new Date(Math.floor(lockedAt.getTime() / 1000) * 1000 + 90 * 86_400_000).toISOString();

    expect(h.world.keyVault.state(customerKey!)).toBe('deleted');
    const [status] = await h.engine.status(s.tenant.id, s.instance);
    expect(status).toMatchObject({ state: 'locked', keyDestruction: { outcome: 'deleted', recoverableUntil: purgeDate } });
    const protectors = await h.db.uow.run((store) => store.protectors.listByInstance(ref.instanceId));
    const row = protectors.find((p) => p.destruction?.outcome === 'deleted' && p.status === 'active');
    expect(row?.destruction?.recoverableUntil?.toISOString()).toBe(purgeDate);
    const audit = await h.engine.listAudit({ tenantId: s.tenant.id, instanceName: s.instance });
    expect(audit.find((e) => e.action === 'lock_completed')?.details).toMatchObject({ outcome: 'deleted', recoverableUntil: purgeDate });
    expect((await refusal(() => h!.engine.records.get(ref, 'a'))).code).toBe('instance_locked');
    // Every admin's lock alert says the key is only deleted, and until when it is recoverable.
    for (const admin of [s.ann, s.bob, s.cat]) {
      const { entries } = await h.db.uow.run((store) => store.inbox.list(admin.admin.id, 50, 0));
      const alert = entries.find((e) => e.message.event === 'instance_locked');
      expect(alert?.message.facts.find(([label]) => label === 'Key')?.[1]).toMatch(/recoverable by the store's owner until .*\(purge protection\)/);
    }

    const unlocked = await h.engine.unlock(s.ann, s.instance, pfx());
    expect(unlocked.state).toBe('active');
    expect((await h.engine.records.get(ref, 'a')).toString()).toBe('b');
  }, 120_000);
});
