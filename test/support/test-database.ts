import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { UnitOfWork } from '../../core/ports/store.js';
import type { Database } from '../../db/database.js';
import { pgdataDir } from '../../db/data-dir-layout.js';
import { openDatabase } from '../../db/open-database.js';
import { openPgliteFromDump } from '../../db/open-pglite-from-dump.js';
import { createUnitOfWork } from '../../db/unit-of-work.js';
import { copyDir } from './copy-dir.js';
import { buildPgliteTemplate } from './pglite-template.js';
import { adminClient, ident, retryInUse, withDatabase } from './postgres-admin.js';
import { ensurePostgresTemplate, epoch } from './postgres-template.js';
import { testEngine, type ProvidedDatabase } from './test-engine.js';

/** A private, migrated database for one test file (or test). */
export interface TestDatabase {
  database: Database;
  uow: UnitOfWork;
  /** The data dir (onDisk), for spawned processes: with PGlite they must wait for `database.close()`. */
  dataDir: string | null;
  /** The server database (PostgreSQL engine). */
  databaseUrl: string | null;
  /** Closes the database and deletes it (server database dropped, data dir removed). */
  dispose(): Promise<void>;
}

/** Options of createTestDatabase. */
export interface TestDatabaseOptions {
  /** PGlite: load into a fresh temp data dir (held under its lock until `database.close()`) instead of memory. */
  onDisk?: boolean;
}

export { testEngine };

let dump: Promise<Blob> | null = null;
let admin: ReturnType<typeof adminClient> | null = null;
let template: Promise<string> | null = null;

/** Clones the run's migrated template: ~0.5 s on PGlite (a dump load or a file copy instead of initdb), ~0.1 s on the server. */
export async function createTestDatabase(opts: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const dataDir = opts.onDisk ? mkdtempSync(join(tmpdir(), 'dualkey-db-')) : null;
  const removeDir = (): void => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    return testEngine === 'postgres' ? await onServer(dataDir, removeDir) : await embedded(dataDir, removeDir);
  } catch (e) {
    removeDir();
    throw e;
  }
}

async function embedded(dataDir: string | null, removeDir: () => void): Promise<TestDatabase> {
  const provided = provisioned();
  let database: Database;
  if (dataDir && provided?.engine === 'pglite') {
    // A file copy of the template's PGDATA, opened the way dualkey opens it (lock included).
    copyDir(provided.pgdataPath, pgdataDir(dataDir));
    database = await openDatabase({ dataDir, migrate: false, lockTimeoutMs: 5_000 });
  } else {
    dump ??= loadDump(provided);
    database = await openPgliteFromDump(await dump, dataDir ? { dataDir, migrate: false } : { migrate: false });
  }
  return {
    database,
    uow: createUnitOfWork(database),
    dataDir,
    databaseUrl: null,
    dispose: async () => {
      await database.close();
      removeDir();
    },
  };
}

async function onServer(dataDir: string | null, removeDir: () => void): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL as string;
  admin ??= adminClient(url);
  const provided = provisioned();
  template ??= provided?.engine === 'postgres' ? Promise.resolve(provided.template) : ensurePostgresTemplate(url);
  const name = `dualkey_t_${epoch()}_${randomBytes(4).toString('hex')}`;
  await retryInUse(admin, `create database ${ident(name)} template ${ident(await template)}`);
  const databaseUrl = withDatabase(url, name);
  const database = await openDatabase({ databaseUrl, dataDir: dataDir ?? '', migrate: false, poolSize: 10 });
  const server = admin;
  return {
    database,
    uow: createUnitOfWork(database),
    dataDir,
    databaseUrl,
    dispose: async () => {
      await database.close();
      await server.unsafe(`drop database if exists ${ident(name)} with (force)`);
      removeDir();
    },
  };
}

async function loadDump(provided: ProvidedDatabase | undefined): Promise<Blob> {
  // Without the global setup (a file run on its own by another runner), build the template here, once per worker.
  if (provided?.engine !== 'pglite') return buildPgliteTemplate();
  return new Blob([readFileSync(provided.dumpPath)]);
}

function provisioned(): ProvidedDatabase | undefined {
  try {
    return inject('dualkeyDatabase');
  } catch {
    return undefined;
  }
}
