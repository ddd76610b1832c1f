import { expect } from 'vitest';
import type { Engine } from '../../core/engine.js';
import type { Harness } from './engine-harness.js';

/** Every protector key id stored by the harness's vault. */
export async function storedVaultKeyIds(h: Harness): Promise<string[]> {
  return h.vault.storedKeyIds('protector');
}

/**
 * Checks DESIGN's invariants on every instance of the tenant, through a freshly started engine:
 * I1 (active: readable, every DEK version under the current protector, `previous` only while a key
 * change is pending), I2 (locked: no usable key material, only the customer's wrapped copy, reads and
 * backups refused), no `locking` left behind, and no vault key that no protector refers to.
 */
export async function assertInvariants(h: Harness, tenantId: string, expectedRecords: Record<string, Record<string, string>> = {}): Promise<void> {
  const engine: Engine = h.restart();
  const referenced = new Set<string>();
  const snapshot = await h.db.uow.run(async (store) => {
    const out = [];
    for (const instance of await store.instances.list(tenantId)) {
      out.push({
        instance,
        protectors: await store.protectors.listByInstance(instance.id),
        keyring: await store.keyring.listByInstance(instance.id),
        pending: await store.requests.pendingForInstance(instance.id),
      });
    }
    return out;
  });
  for (const { instance, protectors, keyring, pending } of snapshot) {
    const label = `${instance.name} (${instance.state})`;
    expect(instance.state, `${label}: no instance is left half-locked`).not.toBe('locking');
    const current = protectors.find((p) => p.id === instance.protectorId)!;
    expect(current, `${label}: current protector exists`).toBeDefined();
    const versions = [...new Set(keyring.map((k) => k.version))];
    for (const p of protectors) if (p.vaultKeyId) referenced.add(p.vaultKeyId);
    const ref = { instanceId: instance.id, tenantId, name: instance.name };
    if (instance.state === 'active') {
      // I1
      expect(current.status, `${label}: current protector is active`).toBe('active');
      expect(current.vaultKeyId && (await h.vault.publicKey(current.vaultKeyId)), `${label}: current protector's key is in the vault`).toBeTruthy();
      for (const v of versions) expect(keyring.some((k) => k.version === v && k.protectorId === current.id), `${label}: DEK v${v} wrapped under current protector`).toBe(true);
      const hasPrevious = protectors.some((p) => p.status === 'previous');
      const changePending = pending.some((r) => r.type === 'key_change');
      expect(hasPrevious, `${label}: a previous protector exists only while a key change is pending`).toBe(changePending);
      for (const [key, value] of Object.entries(expectedRecords[instance.name] ?? {})) {
        expect((await engine.records.get(ref, key)).toString(), `${label}: record ${key} readable`).toBe(value);
      }
      for (const key of await engine.records.list(ref, '')) await engine.records.get(ref, key);
    } else {
      // I2
      for (const p of protectors) {
        const usable = p.vaultKeyId ? await h.vault.publicKey(p.vaultKeyId) : null;
        expect(usable, `${label}: protector ${p.name} has no key material left`).toBeNull();
      }
      expect(keyring.every((k) => k.protectorId === current.id), `${label}: only the customer's wrapped copy remains`).toBe(true);
      expect(current.kind, `${label}: locked under a customer key`).not.toBe('service');
      await expect(engine.records.list(ref, '')).rejects.toMatchObject({ code: 'instance_locked' });
      await expect(engine.createBackup(tenantId, instance.name)).rejects.toMatchObject({ code: 'instance_locked' });
    }
  }
  const stored = await storedVaultKeyIds(h);
  expect(stored.filter((id) => !referenced.has(id)), 'no orphaned key material in the vault').toEqual([]);
}
