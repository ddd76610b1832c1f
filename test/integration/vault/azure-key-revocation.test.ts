import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../core/engine.js';
import { DomainError } from '../../../core/errors.js';
import { cryptoRandom } from '../../../bot/runtime/crypto-random.js';
import { createAzureHarness, type AzureHarness } from '../../support/azure-harness.js';
import { seedTenant, type Seeded } from '../../support/engine-harness.js';
import { FaultHook } from '../../support/fault-hook.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

describe('disabling the customer key in Azure Key Vault reaches DEKs already cached (fake Key Vault)', () => {
  let h: AzureHarness;
  let s: Seeded;
  let keyName: string;
  let ref: { instanceId: string; tenantId: string; name: string };
  let token: string;

  /** A server replica: its own engine (and so its own DEK caches) on the same database and vault. */
  const replica = () => createEngine({ uow: h.db.uow, vault: h.vault, clock: h.clock, random: cryptoRandom, logger: h.logger, steps: new FaultHook() });

  async function code(p: Promise<unknown>): Promise<string> {
    const e = await p.then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(DomainError);
    return (e as DomainError).code;
  }

  beforeAll(async () => {
    h = await createAzureHarness();
    s = await seedTenant(h);
    const r = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    await h.engine.decide(s.bob, r.request.id, 'approve');
    const i = (await h.db.uow.run((store) => store.instances.byName(s.tenant.id, s.instance)))!;
    keyName = (await h.db.uow.run((store) => store.protectors.byId(i.protectorId)))!.vaultKeyId!;
    ref = { instanceId: i.id, tenantId: s.tenant.id, name: s.instance };
    await h.engine.records.put(ref, 'customers/1', Buffer.from('Ada'));
    token = await h.engine.issueToken(s.tenant.id, s.instance);
    await h.engine.initDbKeys(s.tenant.id, s.instance);
  }, 60_000);
  afterAll(() => h?.dispose());

  it('drops the cached DEKs on every replica once key-access health records the refusal, and serves again once the key is enabled', async () => {
    const checker = replica();
    const other = replica();
    for (const engine of [checker, other]) {
      expect((await engine.records.get(ref, 'customers/1')).toString()).toBe('Ada');
      expect((await engine.kv.key(token, s.instance, 1, null)).material).toHaveLength(32);
    }
    h.world.keyVault.setEnabled(keyName, false);
    // Until the health check sees it, cached DEKs still serve: disabling a key is not a lock.
    expect((await other.records.get(ref, 'customers/1')).toString()).toBe('Ada');

    const report = await checker.checkKeyAccess();
    expect(report.lost).toBe(1);
    // The replica that recorded the refusal drops its DEKs at once and must now ask the store, which refuses.
    expect(checker.records.deks.heldInstances()).toEqual([]);
    expect(await code(checker.records.get(ref, 'customers/1'))).toBe('key_inaccessible');
    // Every other replica drops its own on its next key sweep (a one-second timer in serve).
    expect(await other.dropStaleKeys()).toBe(2);
    expect(other.records.deks.heldInstances()).toEqual([]);
    expect(await code(other.records.get(ref, 'customers/1'))).toBe('key_inaccessible');
    expect(await code(other.kv.key(token, s.instance, 1, null))).toBe('key_inaccessible');

    h.world.keyVault.setEnabled(keyName, true);
    expect((await checker.checkKeyAccess()).restored).toBe(1);
    expect((await other.records.get(ref, 'customers/1')).toString()).toBe('Ada');
    expect(await other.dropStaleKeys()).toBe(0);
    expect(other.records.deks.heldInstances()).toEqual([ref.instanceId]);
  });

  it('keeps serving from cached DEKs while the key store does not answer: an outage is not a refusal', async () => {
    const engine = replica();
    expect((await engine.records.get(ref, 'customers/1')).toString()).toBe('Ada');
    h.world.keyVault.up = false;
    try {
      const report = await engine.checkKeyAccess();
      expect(report.inaccessible.map((p) => p.cause)).toEqual([expect.stringContaining('did not answer')]);
      expect(await engine.dropStaleKeys()).toBe(0);
      expect((await engine.records.get(ref, 'customers/1')).toString()).toBe('Ada');
    } finally {
      h.world.keyVault.up = true;
    }
    expect((await engine.checkKeyAccess()).restored).toBe(1);
  });

  it('drops the cached DEKs when an outage recorded first turns out to be a refusal', async () => {
    const engine = replica();
    expect((await engine.records.get(ref, 'customers/1')).toString()).toBe('Ada');
    h.world.keyVault.up = false;
    try {
      await engine.checkKeyAccess();
    } finally {
      h.world.keyVault.up = true;
    }
    expect(engine.records.deks.heldInstances()).toEqual([ref.instanceId]);
    h.world.keyVault.setEnabled(keyName, false);
    try {
      // Still inaccessible (no second alert), but now refused: the DEKs go.
      expect(await engine.checkKeyAccess()).toMatchObject({ lost: 0, restored: 0 });
      expect(engine.records.deks.heldInstances()).toEqual([]);
    } finally {
      h.world.keyVault.setEnabled(keyName, true);
    }
    expect((await engine.checkKeyAccess()).restored).toBe(1);
  });
});
