import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../../core/model/journal-entry.js';
import type { OutboxMessage } from '../../../core/model/outbox-message.js';
import type { UnitOfWork } from '../../../core/ports/store.js';
import { createTestDatabase, testEngine, type TestDatabase } from '../../support/test-database.js';
import { aProtector, aRequest, aTenant, anAdmin, anInstance, hoursAfter, newId, T0 } from './fixtures/models.js';

describe(`repositories round-trip every model type (${testEngine})`, () => {
  let db: TestDatabase;
  let uow: UnitOfWork;
  beforeAll(async () => {
    db = await createTestDatabase();
    uow = db.uow;
  });
  afterAll(() => db.dispose());

  it('stores and reads back a tenant, its settings (jsonb) and its KEK (bytea)', async () => {
    const tenant = aTenant();
    await uow.run((s) => s.tenants.insert(tenant));
    expect(await uow.run((s) => s.tenants.byId(tenant.id))).toEqual(tenant);
    expect(await uow.run((s) => s.tenants.byName(tenant.name))).toEqual(tenant);

    const kek = randomBytes(294);
    await uow.run((s) => s.tenants.setKek(tenant.id, 'vk_kek', kek));
    const settings = { ...tenant.settings, unreviewedChangePolicy: 'keep' as const, lockCooldownHours: 0.25 };
    await uow.run((s) => s.tenants.updateSettings(tenant.id, settings));
    const back = await uow.run((s) => s.tenants.byId(tenant.id));
    expect(back).toEqual({ ...tenant, settings, kekVaultKeyId: 'vk_kek', kekPublicKey: kek });
    expect(Buffer.isBuffer(back?.kekPublicKey)).toBe(true);
    expect((await uow.run((s) => s.tenants.list())).map((t) => t.id)).toContain(tenant.id);
    expect(await uow.run((s) => s.tenants.byId('missing'))).toBeNull();
  });

  it('loads admins with their identities, one or a batch, finds them by email and identity, and removes them', async () => {
    const tenant = aTenant();
    const ada = anAdmin(tenant.id, { role: 'system_admin', instances: ['prod', 'staging'], createdAt: T0 });
    const bob = anAdmin(tenant.id, { identities: [], createdAt: hoursAfter(1) });
    await uow.run(async (s) => {
      await s.tenants.insert(tenant);
      await s.admins.insert(ada);
      await s.admins.insert(bob);
    });
    expect(await uow.run((s) => s.admins.byId(ada.id))).toEqual(ada);
    expect(await uow.run((s) => s.admins.byEmail(tenant.id, bob.email))).toEqual(bob);

    const teams = { platform: 'teams' as const, workspace: 'aad-tenant', userId: 'aad-object' };
    await uow.run((s) => s.admins.addIdentity(bob.id, teams));
    expect(await uow.run((s) => s.admins.byIdentity('teams', 'aad-tenant', 'aad-object'))).toEqual({ ...bob, identities: [teams] });
    expect(await uow.run((s) => s.admins.byIdentity('slack', 'aad-tenant', 'aad-object'))).toBeNull();
    expect(await uow.run((s) => s.admins.list(tenant.id))).toEqual([ada, { ...bob, identities: [teams] }]);
    // A delivery batch's recipients in one lookup: each with its identities, unknown ids left out.
    const batch = await uow.run((s) => s.admins.byIds([bob.id, 'adm_missing', ada.id]));
    expect(batch.sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime())).toEqual([ada, { ...bob, identities: [teams] }]);
    expect(await uow.run((s) => s.admins.byIds([]))).toEqual([]);
    expect((await uow.run((s) => s.admins.lockByIds([ada.id, 'adm_missing']))).map((a) => a.email)).toEqual([ada.email]);
    expect(await uow.run((s) => s.admins.lockByIds([]))).toEqual([]);

    await uow.run((s) => s.admins.remove(bob.id));
    expect(await uow.run((s) => s.admins.byId(bob.id))).toBeNull();
    expect(await uow.run((s) => s.admins.byIdentity('teams', 'aad-tenant', 'aad-object'))).toBeNull();
    expect((await uow.run((s) => s.admins.list(tenant.id))).map((a) => a.id)).toEqual([ada.id]);
  });

  it('updates an instance only at the expected generation, bumping it', async () => {
    const tenant = aTenant();
    const instance = anInstance(tenant.id);
    await uow.run(async (s) => {
      await s.tenants.insert(tenant);
      await s.instances.insert(instance);
    });
    expect(await uow.run((s) => s.instances.byName(tenant.id, instance.name))).toEqual({ ...instance, drainUntil: null });

    const changedAt = hoursAfter(2);
    const updated = await uow.run((s) => s.instances.update(instance.id, 1, { keyMode: 'customer', protectorId: 'pro_new', lastKeyChangeAt: changedAt }));
    expect(updated).toEqual({ ...instance, keyMode: 'customer', protectorId: 'pro_new', lastKeyChangeAt: changedAt, generation: 2, drainUntil: null });
    expect(await uow.run((s) => s.instances.update(instance.id, 1, { state: 'locked' }))).toBeNull();
    const cleared = await uow.run((s) => s.instances.update(instance.id, 2, { lastKeyChangeAt: null }));
    expect(cleared).toMatchObject({ generation: 3, lastKeyChangeAt: null, state: 'active' });
    expect(await uow.run((s) => s.instances.lockById(instance.id))).toEqual(cleared);
    expect(await uow.run((s) => s.instances.list(tenant.id))).toEqual([cleared]);
    expect(await uow.run((s) => s.instances.namesOf([instance.id, instance.id, 'ins_missing']))).toEqual([{ id: instance.id, name: instance.name }]);
    expect(await uow.run((s) => s.instances.namesOf([]))).toEqual([]);
    // A lock drain: only `locking` instances whose window is over are due.
    const drainUntil = hoursAfter(3);
    expect(await uow.run((s) => s.instances.update(instance.id, 3, { state: 'locking', drainUntil }))).toMatchObject({ generation: 4, drainUntil });
    expect(await uow.run((s) => s.instances.drainsDue(hoursAfter(2.9)))).toEqual([]);
    expect(await uow.run((s) => s.instances.drainsDue(drainUntil))).toEqual([instance.id]);
  });

  it('stores protectors and wrapped DEKs as Buffers and deletes wrapped copies by protector', async () => {
    const tenant = aTenant();
    const instance = anInstance(tenant.id);
    const current = aProtector(instance.id);
    const previous = aProtector(instance.id, { status: 'previous', kind: 'service', createdAt: hoursAfter(-1) });
    const dek = (version: number, protectorId: string) => ({ instanceId: instance.id, version, protectorId, wrapped: randomBytes(256) });
    const rows = [dek(1, current.id), dek(2, current.id), dek(1, previous.id)];
    await uow.run(async (s) => {
      await s.tenants.insert(tenant);
      await s.instances.insert(instance);
      await s.protectors.insert(current);
      await s.protectors.insert(previous);
      await s.keyring.insert(rows);
      await s.keyring.insert([]);
    });
    const back = await uow.run((s) => s.protectors.byId(current.id));
    expect(back).toEqual(current);
    expect(Buffer.isBuffer(back?.publicKey)).toBe(true);
    expect(await uow.run((s) => s.protectors.listByInstance(instance.id))).toEqual([previous, current]);
    await uow.run((s) => s.protectors.update(previous.id, { status: 'retired', vaultKeyId: null }));
    expect(await uow.run((s) => s.protectors.byId(previous.id))).toEqual({ ...previous, status: 'retired', vaultKeyId: null });
    await uow.run((s) => s.protectors.update(current.id, { vaultKeyId: null, destroyKeyId: current.vaultKeyId! }));
    const destruction = { outcome: 'deleted' as const, recoverableUntil: new Date('2031-01-01T00:00:00Z'), at: new Date('2030-12-01T00:00:00Z') };
    expect((await uow.run((s) => s.protectors.recordDestruction(current.vaultKeyId!, destruction)))?.id).toBe(current.id);
    expect(await uow.run((s) => s.protectors.byId(current.id))).toMatchObject({ vaultKeyId: null, destruction });
    await uow.run((s) => s.protectors.update(current.id, { vaultKeyId: 'vk-again' }));
    expect(await uow.run((s) => s.protectors.byId(current.id))).toMatchObject({ vaultKeyId: 'vk-again', destruction: null });

    const sorted = [rows[0], rows[2], rows[1]].sort((a, b) => a!.version - b!.version || a!.protectorId.localeCompare(b!.protectorId));
    expect(await uow.run((s) => s.keyring.listByInstance(instance.id))).toEqual(sorted);
    expect(await uow.run((s) => s.keyring.listByProtector(instance.id, current.id))).toEqual([rows[0], rows[1]]);
    await uow.run((s) => s.keyring.deleteAllExcept(instance.id, current.id));
    expect(await uow.run((s) => s.keyring.listByInstance(instance.id))).toEqual([rows[0], rows[1]]);
    await uow.run((s) => s.keyring.deleteByProtector(instance.id, current.id));
    expect(await uow.run((s) => s.keyring.listByInstance(instance.id))).toEqual([]);
  });

  it('stores requests with their jsonb payload and lists pending and closed ones', async () => {
    const tenant = aTenant();
    const instance = anInstance(tenant.id);
    const older = aRequest(tenant.id, { instanceId: instance.id });
    const newer = aRequest(tenant.id, { instanceId: instance.id, type: 'lock', openedAt: hoursAfter(1), payload: { operation: 'lock' } });
    await uow.run(async (s) => {
      await s.tenants.insert(tenant);
      await s.instances.insert(instance);
      await s.requests.insert(older);
      await s.requests.insert(newer);
    });
    expect(await uow.run((s) => s.requests.byId(older.id))).toEqual(older);
    expect(await uow.run((s) => s.requests.pending(tenant.id))).toEqual([older, newer]);
    expect(await uow.run((s) => s.requests.pendingForInstance(instance.id))).toEqual([older, newer]);

    const decidedAt = hoursAfter(3);
    const decided = await uow.run((s) => s.requests.decide(newer.id, 'rejected', 'adm_bob', decidedAt, 'not today'));
    expect(decided).toEqual({ ...newer, state: 'rejected', decidedBy: 'adm_bob', decidedAt, decisionReason: 'not today' });
    expect(await uow.run((s) => s.requests.list(tenant.id, false))).toEqual([older]);
    expect(await uow.run((s) => s.requests.list(tenant.id, true))).toEqual([decided, older]);
  });

  it('stores outbox messages (jsonb) and journal entries, with compare-and-swap journal transitions', async () => {
    const tenant = aTenant();
    const eventId = newId('evt');
    const message: OutboxMessage = {
      id: newId('out'),
      tenantId: tenant.id,
      eventId,
      adminId: 'adm_1',
      address: null,
      channel: 'teams',
      kind: 'deliver',
      updateOf: null,
      dedupeKey: null,
      requestId: 'req_1',
      createdAt: T0,
      message: {
        event: 'key_change',
        title: 'Key changed on "prod"',
        facts: [['Instance', 'prod'], ['Deadline', '2030-01-05 03:04 UTC']],
        actions: [{ id: 'approve', label: 'Approve', style: 'primary', requestId: 'req_1', confirm: null }],
        status: null,
        requestId: 'req_1',
        instanceName: 'prod',
      },
    };
    await uow.run((s) => s.outbox.insert([message, { ...message, id: newId('out'), channel: 'email', createdAt: hoursAfter(1) }]));
    await uow.run((s) => s.outbox.insert([]));
    const listed = await uow.run((s) => s.outbox.listForEvent(eventId));
    expect(listed).toHaveLength(2);
    expect(listed[0]).toEqual({ ...message, state: 'pending', attempts: 0, nextAttemptAt: T0, leaseUntil: null, lastError: null, sentAt: null, platformRef: null });
    expect(await uow.run((s) => s.outbox.byId(message.id))).toEqual(listed[0]);

    const entry: JournalEntry = {
      id: newId('jrn'),
      kind: 'destroy',
      operation: 'lock',
      instanceId: 'ins_1',
      keyIds: ['vk_1', 'vk_2'],
      then: 'finish_lock',
      state: 'open',
      createdAt: T0,
      updatedAt: T0,
    };
    await uow.run((s) => s.journal.insert(entry));
    expect(await uow.run((s) => s.journal.unfinished())).toContainEqual(entry);
    expect(await uow.run((s) => s.journal.transition(entry.id, 'open', 'compensating', hoursAfter(1)))).toBe(true);
    expect(await uow.run((s) => s.journal.transition(entry.id, 'open', 'done', hoursAfter(2)))).toBe(false);
    expect(await uow.run((s) => s.journal.unfinished())).toContainEqual({ ...entry, state: 'compensating', updatedAt: hoursAfter(1) });
    expect(await uow.run((s) => s.journal.transition(entry.id, 'compensating', 'compensated', hoursAfter(2)))).toBe(true);
    expect((await uow.run((s) => s.journal.unfinished())).map((e) => e.id)).not.toContain(entry.id);
  });

  it('finds data-plane tokens by hash only', async () => {
    const tenant = aTenant();
    const instance = anInstance(tenant.id);
    const tokenHash = randomBytes(32).toString('hex');
    await uow.run(async (s) => {
      await s.tenants.insert(tenant);
      await s.instances.insert(instance);
      await s.tokens.insert({ id: newId('tok'), instanceId: instance.id, tokenHash, createdAt: T0 });
    });
    expect(await uow.run((s) => s.tokens.byHash(tokenHash))).toEqual({ instanceId: instance.id });
    expect(await uow.run((s) => s.tokens.byHash('0'.repeat(64)))).toBeNull();
  });

  it('rolls the whole unit of work back when it throws', async () => {
    const tenant = aTenant();
    await expect(
      uow.run(async (s) => {
        await s.tenants.insert(tenant);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await uow.run((s) => s.tenants.byId(tenant.id))).toBeNull();
  });
});
