import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../../core/errors.js';
import { createAzureHarness, type AzureHarness } from '../../support/azure-harness.js';
import { seedAzureCustomerKey, type AzureCustomerKey } from '../../support/azure-customer-key.js';
import type { Seeded } from '../../support/engine-harness.js';

describe('when Azure Key Vault refuses the instance key: data plane, key change, backup, cached DEKs (fake Key Vault)', () => {
  let h: AzureHarness;
  let s: Seeded;
  let keyName: string;
  let ref: { instanceId: string; tenantId: string; name: string };
  let token: string;
  let seeded: AzureCustomerKey;
  /** A second process (server replica): its own engine on the same database and vault, so its DEK caches start empty. */
  const freshProcess = () => seeded.replica();

  async function refusal(p: Promise<unknown>): Promise<DomainError> {
    const e = await p.then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }

  beforeAll(async () => {
    h = await createAzureHarness();
    seeded = await seedAzureCustomerKey(h);
    ({ s, keyName, ref, token } = seeded);
  }, 60_000);
  afterAll(() => h?.dispose());

  it('refuses reads and writes with key_inaccessible while the customer key is disabled, naming the cause and changing nothing', async () => {
    h.world.keyVault.setEnabled(keyName, false);
    const engine = freshProcess();
    const read = await refusal(engine.records.get(ref, 'customers/1'));
    expect(read.code).toBe('key_inaccessible');
    expect(read.message).toContain(s.instance);
    expect(read.message).toContain('disabled');
    expect(read.message).toContain('HTTP 403');
    expect((await refusal(engine.records.put(ref, 'customers/1', Buffer.from('Bea')))).code).toBe('key_inaccessible');
    // The MariaDB key server unwraps through the same path and refuses the same way.
    expect((await refusal(engine.kv.key(token, s.instance, 1, null))).code).toBe('key_inaccessible');
    expect(engine.records.deks.heldInstances()).toEqual([]);
    h.world.keyVault.setEnabled(keyName, true);
    // The refused write changed nothing, and both paths work again once the key is enabled.
    expect((await engine.records.get(ref, 'customers/1')).toString()).toBe('Ada');
    expect((await engine.kv.key(token, s.instance, 1, null)).material).toHaveLength(32);
  });

  it('refuses reads and writes with key_inaccessible once the customer deletes the key, and serves again once they recover it', async () => {
    h.world.keyVault.softDelete(keyName);
    try {
      const engine = freshProcess();
      const read = await refusal(engine.records.get(ref, 'customers/1'));
      expect(read.code).toBe('key_inaccessible');
      expect(read.message).toContain('no longer has it');
      expect((await refusal(engine.records.put(ref, 'customers/1', Buffer.from('Bea')))).code).toBe('key_inaccessible');
      expect((await refusal(engine.kv.key(token, s.instance, 1, null))).code).toBe('key_inaccessible');
      // Key-access health reads it as a refusal too, so every replica drops the DEKs it still holds.
      expect((await h.engine.checkKeyAccess()).inaccessible).toEqual([{ tenantId: s.tenant.id, instance: s.instance, cause: expect.stringContaining('deleted') }]);
    } finally {
      h.world.keyVault.recover(keyName);
    }
    expect((await freshProcess().records.get(ref, 'customers/1')).toString()).toBe('Ada');
    await h.engine.checkKeyAccess();
  });

  // The customer pulls the key either way: disabling it (403 on unwrap) or deleting it (404).
  const pulls = [
    { how: 'disabled', says: 'disabled', pull: () => h.world.keyVault.setEnabled(keyName, false), restore: () => h.world.keyVault.setEnabled(keyName, true) },
    { how: 'deleted', says: 'no longer has it', pull: () => h.world.keyVault.softDelete(keyName), restore: () => h.world.keyVault.recover(keyName) },
  ];
  for (const { how, says, pull, restore } of pulls) {
    it(`refuses a key change while the current key is ${how} with key_inaccessible, undoing the new key at once and changing nothing`, async () => {
      const keysBefore = h.world.keyVault.keyNames().sort();
      const [statusBefore] = await h.engine.status(s.tenant.id, s.instance);
      pull();
      try {
        const refused = await refusal(h.engine.changeKey(s.ann, s.instance, { kind: 'generate', password: 'correct horse battery staple' }));
        expect(refused.code).toBe('key_inaccessible');
        expect(refused.message).toContain(says);
      } finally {
        restore();
      }
      // The key imported for the change was destroyed by the change itself, not left for recovery.
      expect(h.world.keyVault.keyNames().sort()).toEqual(keysBefore);
      expect(await h.db.uow.run((store) => store.requests.pendingForInstance(ref.instanceId))).toEqual([]);
      expect((await h.engine.status(s.tenant.id, s.instance))[0]).toEqual(statusBefore);
      expect((await freshProcess().records.get(ref, 'customers/1')).toString()).toBe('Ada');
    });
  }

  it('refuses a backup restore while the key is disabled with key_inaccessible, keeping the records', async () => {
    const backup = await h.engine.createBackup(s.tenant.id, s.instance);
    await h.engine.records.put(ref, 'customers/2', Buffer.from('Bea'));
    h.world.keyVault.setEnabled(keyName, false);
    try {
      expect((await refusal(h.engine.restoreBackup(s.tenant.id, s.instance, backup))).code).toBe('key_inaccessible');
    } finally {
      h.world.keyVault.setEnabled(keyName, true);
    }
    // Nothing was replaced: the record written after the backup is still there.
    expect((await freshProcess().records.get(ref, 'customers/2')).toString()).toBe('Bea');
  });

  it('keeps answering other faults of the key store as faults, not as refusals', async () => {
    h.world.keyVault.up = false;
    try {
      const e = await freshProcess().records.get(ref, 'customers/1').then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(Error);
      expect(e).not.toBeInstanceOf(DomainError);
    } finally {
      h.world.keyVault.up = true;
    }
  });

  it('drops the cached DEKs on every replica once key-access health records the refusal, and serves again once the key is enabled', async () => {
    const checker = freshProcess();
    const other = freshProcess();
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
    expect((await refusal(checker.records.get(ref, 'customers/1'))).code).toBe('key_inaccessible');
    // Every other replica drops its own on its next key sweep (a one-second timer in serve).
    expect(await other.dropStaleKeys()).toBe(2);
    expect(other.records.deks.heldInstances()).toEqual([]);
    expect((await refusal(other.records.get(ref, 'customers/1'))).code).toBe('key_inaccessible');
    expect((await refusal(other.kv.key(token, s.instance, 1, null))).code).toBe('key_inaccessible');

    h.world.keyVault.setEnabled(keyName, true);
    // The first unwrap that succeeds records the key as usable again (once, with its alert): no tick needed, and the
    // sweeps stop dropping the DEKs it loaded.
    const restoredBefore = (await h.engine.listAudit({ tenantId: s.tenant.id }, 200)).filter((e) => e.action === 'key_access_restored').length;
    expect((await other.records.get(ref, 'customers/1')).toString()).toBe('Ada');
    const protector = await h.db.uow.run(async (store) => store.protectors.byId((await store.instances.byId(ref.instanceId))!.protectorId));
    expect(protector).toMatchObject({ accessProblem: null, accessRefused: false });
    expect((await h.engine.listAudit({ tenantId: s.tenant.id }, 200)).filter((e) => e.action === 'key_access_restored')).toHaveLength(restoredBefore + 1);
    expect(await other.dropStaleKeys()).toBe(0);
    expect(await checker.dropStaleKeys()).toBe(0);
    expect(other.records.deks.heldInstances()).toEqual([ref.instanceId]);
    expect((await checker.checkKeyAccess()).restored).toBe(0);
  });

  it('keeps serving from cached DEKs while the key store does not answer: an outage is not a refusal', async () => {
    const engine = freshProcess();
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
    const engine = freshProcess();
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

  it('marks as refused, and drops the DEKs of, a problem recorded before refusals were told apart from outages', async () => {
    const engine = freshProcess();
    expect((await engine.records.get(ref, 'customers/1')).toString()).toBe('Ada');
    h.world.keyVault.setEnabled(keyName, false);
    try {
      const access = await h.vault.keyAccess(keyName);
      expect(access).toMatchObject({ usable: false, refused: true });
      // As migration 0018 leaves a row whose problem was recorded earlier: the same cause, access_refused false.
      const i = (await h.db.uow.run((store) => store.instances.byId(ref.instanceId)))!;
      expect(await h.db.uow.run((store) => store.protectors.compareAndSetAccessProblem(i.protectorId, null, !access.usable ? access.cause : null, false))).toBe(true);
      expect(await engine.checkKeyAccess()).toMatchObject({ lost: 0, restored: 0 });
      expect(engine.records.deks.heldInstances()).toEqual([]);
    } finally {
      h.world.keyVault.setEnabled(keyName, true);
    }
    expect((await engine.checkKeyAccess()).restored).toBe(1);
  });
});
