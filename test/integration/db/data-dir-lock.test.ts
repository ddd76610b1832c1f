import { sql } from 'drizzle-orm';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../core/errors.js';
import type { Database } from '../../../db/database.js';
import { acquireDataDirLock } from '../../../db/data-dir-lock.js';
import { openDatabase } from '../../../db/open-database.js';
import { shareOverSocket } from '../../../db/share-over-socket.js';
import { rawRows } from '../../../db/repositories/raw-rows.js';
import { createTestDatabase, testEngine } from '../../support/test-database.js';
import { spawnDbProcess } from './fixtures/spawn-db-process.js';

/** The embedded database's data-dir lock; nothing to lock on a server, so the PostgreSQL run skips it. */
describe.skipIf(testEngine === 'postgres')('the embedded database is owned by one process at a time', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function onDiskDataDir(): Promise<string> {
    const test = await createTestDatabase({ onDisk: true });
    await test.database.close();
    cleanups.push(() => test.dispose());
    return test.dataDir!;
  }

  async function marks(database: Database): Promise<number[]> {
    const rows = await database.transaction((tx) => rawRows<{ pid: number }>(tx, sql`select pid from test_marks order by pid`));
    return rows.map((r) => Number(r.pid));
  }

  it('refuses a second process with database_busy within its lock timeout, and leaves the data intact', async () => {
    const dataDir = await onDiskDataDir();
    const holder = await openDatabase({ dataDir });
    cleanups.push(() => holder.close());
    expect(holder.kind).toBe('pglite');
    await holder.transaction(async (tx) => {
      await tx.execute(sql`create table test_marks (pid int, at text)`);
      await tx.execute(sql`insert into test_marks values (1, 'holder')`);
    });

    const second = spawnDbProcess(['open', dataDir, '1500']);
    const outcome = await second.next('ok');
    expect(outcome).toMatchObject({ ok: false, code: 'database_busy' });
    expect(outcome.message).toContain(`in use by process ${process.pid}`);
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(1400);
    expect(outcome.elapsedMs).toBeLessThan(5000);
    expect(await second.exited).toBe(0);

    expect(await marks(holder)).toEqual([1]);
    await holder.close();
    const reopened = await openDatabase({ dataDir, lockTimeoutMs: 1500 });
    cleanups.push(() => reopened.close());
    expect(await marks(reopened)).toEqual([1]);
  });

  it('refuses a second open in the same process too', async () => {
    const dataDir = await onDiskDataDir();
    const holder = await openDatabase({ dataDir });
    cleanups.push(() => holder.close());
    const error = await openDatabase({ dataDir, lockTimeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('database_busy');
  });

  it('takes over the stale lock (and socket) of a process that died, keeping what it committed', async () => {
    const dataDir = await onDiskDataDir();
    const crashed = spawnDbProcess(['crash', dataDir, 'share']);
    const { pid } = await crashed.next('ready');
    expect(await crashed.exited).toBeNull();
    expect(readFileSync(join(dataDir, 'lock', 'pid'), 'utf8').split('\n')[0]).toBe(String(pid));
    expect(existsSync(join(dataDir, '.s.PGSQL.5432'))).toBe(true);

    // A live holder would make this wait out the timeout and throw database_busy.
    const next = await openDatabase({ dataDir, lockTimeoutMs: 1500 });
    cleanups.push(() => next.close());
    expect(next.kind).toBe('pglite');
    expect(await marks(next)).toEqual([pid]);
    expect(readFileSync(join(dataDir, 'lock', 'pid'), 'utf8').split('\n')[0]).toBe(String(process.pid));
    // The new owner can share again: the dead process's socket file is replaced.
    const share = await shareOverSocket(next, dataDir);
    const client = await openDatabase({ dataDir, lockTimeoutMs: 1500 });
    expect(client.kind).toBe('postgres');
    await client.close();
    await share.close();
  });

  it('releases the lock on close, so the next owner does not wait', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dualkey-lock-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await acquireDataDirLock(dataDir, 100);
    expect(existsSync(join(dataDir, 'lock'))).toBe(true);
    await expect(acquireDataDirLock(dataDir, 100)).rejects.toMatchObject({ code: 'database_busy' });
    first.release();
    expect(existsSync(join(dataDir, 'lock'))).toBe(false);
    const second = await acquireDataDirLock(dataDir, 100);
    second.release();
  });
});
