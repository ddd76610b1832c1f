import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../../core/errors.js';
import type { Instance } from '../../../core/model/instance.js';
import type { UnitOfWork } from '../../../core/ports/store.js';
import { createTestDatabase, testEngine, type TestDatabase } from '../../support/test-database.js';
import { aRecord, aTenant, anInstance, hoursAfter, sealedPart } from './fixtures/models.js';

describe(`guarded record access checks the instance in the same statement (${testEngine})`, () => {
  let db: TestDatabase;
  let uow: UnitOfWork;
  beforeAll(async () => {
    db = await createTestDatabase();
    uow = db.uow;
  });
  afterAll(() => db.dispose());

  async function activeInstance(): Promise<Instance> {
    const tenant = aTenant();
    const instance = anInstance(tenant.id);
    await uow.run(async (s) => {
      await s.tenants.insert(tenant);
      await s.instances.insert(instance);
    });
    return instance;
  }

  it('writes, overwrites, reads and deletes a record of an active instance, telling whether it existed', async () => {
    const instance = await activeInstance();
    const first = aRecord('customers/42');
    expect(await uow.run((s) => s.records.write(instance.id, 1, first))).toEqual({ outcome: 'ok', existed: false });
    const second = aRecord('customers/42', { dekVersion: 2, updatedAt: hoursAfter(1) });
    expect(await uow.run((s) => s.records.write(instance.id, 1, second))).toEqual({ outcome: 'ok', existed: true });

    const read = await uow.run((s) => s.records.read(instance.id, 'customers/42'));
    expect(read).toEqual({ state: 'active', generation: 1, record: sealedPart(second) });
    expect(await uow.run((s) => s.records.all(instance.id))).toEqual([second]);
    expect(Buffer.isBuffer(read?.record?.ciphertext)).toBe(true);
    expect(await uow.run((s) => s.records.read(instance.id, 'nope'))).toEqual({ state: 'active', generation: 1, record: null });
    expect(await uow.run((s) => s.records.read('ins_missing', 'customers/42'))).toBeNull();

    expect(await uow.run((s) => s.records.delete(instance.id, 1, 'customers/42'))).toEqual({ outcome: 'ok', existed: true });
    expect(await uow.run((s) => s.records.delete(instance.id, 1, 'customers/42'))).toEqual({ outcome: 'ok', existed: false });
    expect(await uow.run((s) => s.records.all(instance.id))).toEqual([]);
  });

  it('refuses a write with not_active once the instance is marked locked, and keeps the data', async () => {
    const instance = await activeInstance();
    const record = aRecord('a');
    await uow.run((s) => s.records.write(instance.id, 1, record));
    await uow.run(async (s) => {
      const locked = await s.instances.lockById(instance.id);
      await s.instances.update(instance.id, locked!.generation, { state: 'locked' });
    });
    expect(await uow.run((s) => s.records.write(instance.id, 2, aRecord('a')))).toEqual({ outcome: 'not_active', state: 'locked' });
    expect(await uow.run((s) => s.records.delete(instance.id, 2, 'a'))).toEqual({ outcome: 'not_active', state: 'locked' });
    expect(await uow.run((s) => s.records.read(instance.id, 'a'))).toMatchObject({ state: 'locked', generation: 2 });
    expect(await uow.run((s) => s.records.all(instance.id))).toEqual([record]);
  });

  it('refuses a write with stale after a generation bump, reporting the current generation', async () => {
    const instance = await activeInstance();
    await uow.run((s) => s.instances.update(instance.id, 1, { protectorId: 'pro_rotated' }));
    expect(await uow.run((s) => s.records.write(instance.id, 1, aRecord('a')))).toEqual({ outcome: 'stale', generation: 2 });
    expect(await uow.run((s) => s.records.delete(instance.id, 1, 'a'))).toEqual({ outcome: 'stale', generation: 2 });
    expect(await uow.run((s) => s.records.write(instance.id, 2, aRecord('a')))).toEqual({ outcome: 'ok', existed: false });
  });

  it('refuses writes to an instance that does not exist with instance_not_found', async () => {
    const error = await uow.run((s) => s.records.write('ins_missing', 1, aRecord('a'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('instance_not_found');
  });

  it('lists keys by prefix in key order, treating LIKE wildcards literally, up to the limit', async () => {
    const instance = await activeInstance();
    const keys = ['a/1', 'a/2', 'a/3', 'a%x', 'a_y', 'ab', 'b/1'];
    await uow.run(async (s) => {
      for (const key of [...keys].reverse()) await s.records.write(instance.id, 1, aRecord(key));
    });
    expect(await uow.run((s) => s.records.listKeys(instance.id, 'a/', 10))).toEqual({ state: 'active', generation: 1, keys: ['a/1', 'a/2', 'a/3'] });
    expect((await uow.run((s) => s.records.listKeys(instance.id, 'a/', 2)))?.keys).toEqual(['a/1', 'a/2']);
    expect((await uow.run((s) => s.records.listKeys(instance.id, 'a%', 10)))?.keys).toEqual(['a%x']);
    expect((await uow.run((s) => s.records.listKeys(instance.id, 'a_', 10)))?.keys).toEqual(['a_y']);
    expect((await uow.run((s) => s.records.listKeys(instance.id, '', 100)))?.keys).toEqual([...keys].sort());
    expect(await uow.run((s) => s.records.listKeys(instance.id, 'zzz', 10))).toEqual({ state: 'active', generation: 1, keys: [] });
    expect(await uow.run((s) => s.records.listKeys('ins_missing', '', 10))).toBeNull();
  });

  it('replaces every record of an instance in the caller transaction', async () => {
    const instance = await activeInstance();
    await uow.run((s) => s.records.write(instance.id, 1, aRecord('old')));
    const fresh = Array.from({ length: 1200 }, (_, i) => aRecord(`k${String(i).padStart(4, '0')}`));
    await uow.run((s) => s.records.replaceAll(instance.id, fresh));
    const all = await uow.run((s) => s.records.all(instance.id));
    expect(all).toHaveLength(1200);
    expect(all[0]).toEqual(fresh[0]);
    expect(all.map((r) => r.key)).not.toContain('old');
  });

  it.skipIf(testEngine === 'pglite')('makes a write racing a lock wait for the lock, then see the locked state', async () => {
    const instance = await activeInstance();
    let releaseLock!: () => void;
    const lockHeld = new Promise<void>((resolve) => (releaseLock = resolve));
    let lockTaken!: () => void;
    const taken = new Promise<void>((resolve) => (lockTaken = resolve));
    const locking = uow.run(async (s) => {
      await s.instances.lockById(instance.id);
      lockTaken();
      await lockHeld;
      await s.instances.update(instance.id, 1, { state: 'locked' });
    });
    await taken;
    const write = uow.run((s) => s.records.write(instance.id, 1, aRecord('late')));
    // Give the write time to reach the row lock; it must not complete before the lock commits.
    const early = await Promise.race([write.then(() => 'done'), new Promise((r) => setTimeout(() => r('waiting'), 300))]);
    expect(early).toBe('waiting');
    releaseLock();
    await locking;
    expect(await write).toEqual({ outcome: 'not_active', state: 'locked' });
    expect(await uow.run((s) => s.records.all(instance.id))).toEqual([]);
  });
});
