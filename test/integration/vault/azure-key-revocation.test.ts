import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureHarness, type AzureHarness } from '../../support/azure-harness.js';
import { seedAzureCustomerKey, type AzureCustomerKey } from '../../support/azure-customer-key.js';
import { refusal, type Seeded } from '../../support/engine-harness.js';

describe('disabling the customer key in Azure Key Vault reaches DEKs already cached (fake Key Vault)', () => {
  let h: AzureHarness;
  let s: Seeded;
  let keyName: string;
  let ref: { instanceId: string; tenantId: string; name: string };
  let token: string;
  let seeded: AzureCustomerKey;
  /** A server replica: its own engine (and so its own DEK caches) on the same database and vault. */
  const replica = () => seeded.replica();

  beforeAll(async () => {
    h = await createAzureHarness();
    seeded = await seedAzureCustomerKey(h);
    ({ s, keyName, ref, token } = seeded);
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
    expect((await refusal(() => checker.records.get(ref, 'customers/1'))).code).toBe('key_inaccessible');
    // Every other replica drops its own on its next key sweep (a one-second timer in serve).
    expect(await other.dropStaleKeys()).toBe(2);
    expect(other.records.deks.heldInstances()).toEqual([]);
    expect((await refusal(() => other.records.get(ref, 'customers/1'))).code).toBe('key_inaccessible');
    expect((await refusal(() => other.kv.key(token, s.instance, 1, null))).code).toBe('key_inaccessible');

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
