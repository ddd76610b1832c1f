import { sql } from 'drizzle-orm';
import { existsSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../core/errors.js';
import type { Database } from '../../../db/database.js';
import { openDatabase } from '../../../db/open-database.js';
import { createUnitOfWork } from '../../../db/unit-of-work.js';
import { rawRows } from '../../../db/repositories/raw-rows.js';
import { shareOverSocket } from '../../../db/share-over-socket.js';
import { createTestDatabase, testEngine } from '../../support/test-database.js';
import { aRecord, aRequest, aTenant, anInstance, sealedPart } from './fixtures/models.js';
import { spawnDbProcess } from './fixtures/spawn-db-process.js';

/** `dualkey serve` sharing its embedded database with CLI processes; a server needs no sharing, so the PostgreSQL run skips it. */
describe.skipIf(testEngine === 'postgres')('sharing the embedded database over a unix socket', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function servedDataDir(idleTimeoutMs?: number): Promise<{ dataDir: string; owner: Database; path: string }> {
    const test = await createTestDatabase({ onDisk: true });
    cleanups.push(() => test.dispose());
    const owner = test.database;
    await owner.transaction(async (tx) => {
      await tx.execute(sql`create table test_counter (id int primary key, n int not null)`);
      await tx.execute(sql`insert into test_counter values (1, 0)`);
    });
    const share = await shareOverSocket(owner, test.dataDir!, idleTimeoutMs === undefined ? {} : { idleTimeoutMs });
    return { dataDir: test.dataDir!, owner, path: share.path };
  }

  const counter = async (database: Database): Promise<number> => {
    const [row] = await database.transaction((tx) => rawRows<{ n: number }>(tx, sql`select n from test_counter where id = 1`));
    return Number(row!.n);
  };

  const incrementInProcess = (database: Database): Promise<void> =>
    database.transaction(async (tx) => {
      const [row] = await rawRows<{ n: number }>(tx, sql`select n from test_counter where id = 1`);
      await sleep(2);
      await tx.execute(sql`update test_counter set n = ${Number(row!.n) + 1} where id = 1`);
    });

  it('lets other processes open the same data dir through the socket, with transactions that never interleave', async () => {
    const { dataDir, owner, path } = await servedDataDir();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const clients = [1, 2, 3].map(() => spawnDbProcess(['increment', dataDir, '20']));
    const outcomes = Promise.all(clients.map((c) => c.next('ok')));
    // Keep serve busy with its own read-modify-write transactions for as long as the clients run.
    let done = false;
    void outcomes.finally(() => (done = true)).catch(() => {});
    let local = 0;
    while (!done) {
      await Promise.all([incrementInProcess(owner), incrementInProcess(owner)]);
      local += 2;
    }
    for (const outcome of await outcomes) expect(outcome).toEqual({ pid: outcome.pid, ok: true, kind: 'postgres' });
    expect(await Promise.all(clients.map((c) => c.exited))).toEqual([0, 0, 0]);
    expect(local).toBeGreaterThan(10);
    expect(await counter(owner)).toBe(60 + local);
  });

  it('connects an in-process client too, rolling back its failed transactions', async () => {
    const { dataDir, owner } = await servedDataDir();
    const client = await openDatabase({ dataDir, lockTimeoutMs: 1500 });
    cleanups.push(() => client.close());
    expect(client.kind).toBe('postgres');
    await Promise.all([...Array.from({ length: 5 }, () => incrementInProcess(client)), ...Array.from({ length: 5 }, () => incrementInProcess(owner))]);
    const failed = client.transaction(async (tx) => {
      await tx.execute(sql`update test_counter set n = n + 100 where id = 1`);
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    await expect(client.transaction((tx) => tx.execute(sql`select no_such_column from test_counter`))).rejects.toThrow();
    expect(await counter(client)).toBe(10);
    expect(await counter(owner)).toBe(10);
    // A second serve must own the database to share it: it waits for the lock instead of connecting.
    await expect(openDatabase({ dataDir, lockTimeoutMs: 300, requireOwnership: true })).rejects.toMatchObject({ code: 'database_busy' });
  });

  it('closes a session idle past the timeout and rolls back its open transaction, so serve is not blocked', async () => {
    // 600 ms idle timeout: the clock below starts only after the client saw its update, so a loaded machine eats into it.
    const { owner, path } = await servedDataDir(600);
    const hung = postgres({ path, username: 'postgres', database: 'postgres', prepare: false, fetch_types: false, max: 1, onnotice: () => {} });
    cleanups.push(() => hung.end({ timeout: 1 }).catch(() => {}));
    let updated!: () => void;
    const didUpdate = new Promise<void>((resolve) => (updated = resolve));
    const stuck = hung.begin(async (tx) => {
      await tx`update test_counter set n = n + 100 where id = 1`;
      updated();
      await sleep(5_000); // a CLI that hangs mid-transaction
    });
    stuck.catch(() => {});
    await didUpdate;
    const started = performance.now();
    await incrementInProcess(owner);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(3_000);
    expect(await counter(owner)).toBe(1);
  });

  it('runs the repositories through the socket, with Buffers, jsonb and dates intact', async () => {
    const { dataDir } = await servedDataDir();
    const client = await openDatabase({ dataDir, lockTimeoutMs: 1500 });
    cleanups.push(() => client.close());
    const uow = createUnitOfWork(client);
    const tenant = aTenant({ kekVaultKeyId: 'vk_kek', kekPublicKey: Buffer.from([0, 1, 2, 255]) });
    const instance = anInstance(tenant.id);
    const request = aRequest(tenant.id, { instanceId: instance.id });
    const record = aRecord('customers/1');
    await uow.run(async (s) => {
      await s.tenants.insert(tenant);
      await s.instances.insert(instance);
      await s.requests.insert(request);
      expect(await s.records.write(instance.id, 1, record)).toEqual({ outcome: 'ok', existed: false });
    });
    expect(await uow.run((s) => s.tenants.byId(tenant.id))).toEqual(tenant);
    expect(await uow.run((s) => s.requests.byId(request.id))).toEqual(request);
    expect(await uow.run((s) => s.records.read(instance.id, 'customers/1'))).toEqual({ state: 'active', generation: 1, record: sealedPart(record) });
    expect(await uow.run((s) => s.records.all(instance.id))).toEqual([record]);
    expect(await uow.run((s) => s.records.listKeys(instance.id, 'customers/', 10))).toEqual({ state: 'active', generation: 1, keys: ['customers/1'] });
  });

  it('stops sharing when the owner closes, after which the data dir opens in-process again', async () => {
    const { dataDir, owner, path } = await servedDataDir();
    await owner.close();
    expect(existsSync(path)).toBe(false);
    const next = await openDatabase({ dataDir, lockTimeoutMs: 1500 });
    cleanups.push(() => next.close());
    expect(next.kind).toBe('pglite');
    expect(await counter(next)).toBe(0);
  });

  it('lets a process holding the database share it while another process opens it', async () => {
    const test = await createTestDatabase({ onDisk: true });
    cleanups.push(() => test.dispose());
    await test.database.close();
    const holder = spawnDbProcess(['hold', test.dataDir!, 'share']);
    cleanups.push(async () => {
      holder.child.stdin!.end();
      await holder.exited;
    });
    await holder.next('ready');
    const client = await openDatabase({ dataDir: test.dataDir!, lockTimeoutMs: 1500 });
    cleanups.push(() => client.close());
    expect(client.kind).toBe('postgres');
    const rows = await client.transaction((tx) => rawRows<{ pid: number }>(tx, sql`select pid from test_marks`));
    expect(rows.map((r) => Number(r.pid))).toEqual([holder.events[0]!.pid]);
  });

  it('refuses a data dir whose socket path would be too long, saying to shorten DUALKEY_DATA_DIR', async () => {
    const test = await createTestDatabase();
    cleanups.push(() => test.dispose());
    const error = await shareOverSocket(test.database, `/tmp/${'d'.repeat(120)}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).message).toContain('DUALKEY_DATA_DIR');
  });
});
