import { sql } from 'drizzle-orm';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../../db/migrations-folder.js';
import { openDatabase } from '../../../db/open-database.js';
import { ONE_SHOT_SHARED_BUFFERS } from '../../../db/open-embedded.js';
import { rawRows } from '../../../db/repositories/raw-rows.js';
import { adminClient, ident, withDatabase } from '../../support/postgres-admin.js';
import { epoch } from '../../support/postgres-template.js';
import { testEngine } from '../../support/test-engine.js';
import { spawnDbProcess } from './fixtures/spawn-db-process.js';

const migrationCount = (JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;

describe(`opening the database applies the migrations (${testEngine})`, () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it.skipIf(testEngine === 'postgres')('starts a one-shot embedded database with small shared buffers and leaves the data dir configured as it was', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dualkey-oneshot-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const sharedBuffers = async (oneShot: boolean) => {
      const database = await openDatabase({ dataDir, oneShot });
      try {
        const rows = await database.transaction((tx) => rawRows<{ shared_buffers: string }>(tx, sql`show shared_buffers`));
        return rows[0]!.shared_buffers;
      } finally {
        await database.close();
      }
    };
    expect(await sharedBuffers(true)).toBe(ONE_SHOT_SHARED_BUFFERS);
    // The next long-lived owner (serve) gets postgresql.conf's setting back.
    expect(await sharedBuffers(false)).toBe('128MB');
    expect(readFileSync(join(dataDir, 'pgdata', 'postgresql.conf'), 'utf8')).not.toContain(ONE_SHOT_SHARED_BUFFERS);
  });

  it.skipIf(testEngine === 'postgres')('initialises an embedded database in a new private data dir', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'dualkey-open-')), 'nested', 'data');
    cleanups.push(() => rmSync(join(dataDir, '..', '..'), { recursive: true, force: true }));
    const database = await openDatabase({ dataDir });
    cleanups.push(() => database.close());
    expect(database.kind).toBe('pglite');
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const rows = await database.transaction((tx) => rawRows<{ n: unknown }>(tx, sql`select count(*) as n from drizzle.__drizzle_migrations`));
    expect(Number(rows[0]!.n)).toBe(migrationCount);
  });

  it.skipIf(testEngine === 'pglite')('lets three replicas starting together migrate a fresh server database exactly once', async () => {
    const url = process.env.DATABASE_URL!;
    const admin = adminClient(url);
    const name = `dualkey_t_${epoch()}_mig${Math.floor(Math.random() * 1e6)}`;
    await admin.unsafe(`create database ${ident(name)}`);
    cleanups.push(async () => {
      await admin.unsafe(`drop database if exists ${ident(name)} with (force)`);
      await admin.end();
    });
    const databaseUrl = withDatabase(url, name);
    const replicas = [1, 2, 3].map(() => spawnDbProcess(['migrate', databaseUrl]));
    const outcomes = await Promise.all(replicas.map((r) => r.next('ok')));
    for (const o of outcomes) expect(o).toMatchObject({ ok: true, kind: 'postgres' });
    expect(await Promise.all(replicas.map((r) => r.exited))).toEqual([0, 0, 0]);

    const database = await openDatabase({ databaseUrl, dataDir: '' });
    cleanups.push(() => database.close());
    const rows = await database.transaction((tx) => rawRows<{ n: unknown }>(tx, sql`select count(*) as n from drizzle.__drizzle_migrations`));
    expect(Number(rows[0]!.n)).toBe(migrationCount);
  });
});
