import { PGlite } from '@electric-sql/pglite';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pgdataDir } from './data-dir-layout.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { createPgliteDatabase, migratePglite, type PgliteDatabase } from './pglite-database.js';

/** Where to load a dump. */
export interface FromDumpOptions {
  /** Load into this data dir (under its lock) instead of memory; it must not hold a database yet. */
  dataDir?: string;
  lockTimeoutMs?: number;
  /** Apply migrations newer than the dump (default true; cheap when there are none). */
  migrate?: boolean;
}

/**
 * Opens PGlite from a `dumpDataDir()` tarball: in memory by default (no lock: nothing else can see
 * it), or into a fresh data dir. Much faster than initdb, which is what makes per-test databases cheap.
 */
export async function openPgliteFromDump(dump: Blob, opts: FromDumpOptions = {}): Promise<PgliteDatabase> {
  if (opts.dataDir === undefined) {
    const pglite = await PGlite.create({ loadDataDir: dump });
    return ready(pglite, opts.migrate ?? true, () => {});
  }
  const dataDir = opts.dataDir;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock = await acquireDataDirLock(dataDir, opts.lockTimeoutMs ?? 30_000);
  try {
    if (existsSync(join(pgdataDir(dataDir), 'PG_VERSION'))) throw new Error(`${dataDir} already holds a database; load a dump only into a fresh data dir`);
    const pglite = await PGlite.create(pgdataDir(dataDir), { loadDataDir: dump });
    return await ready(pglite, opts.migrate ?? true, () => lock.release());
  } catch (e) {
    lock.release();
    throw e;
  }
}

async function ready(pglite: PGlite, migrate: boolean, afterClose: () => void): Promise<PgliteDatabase> {
  try {
    if (migrate) await migratePglite(pglite);
  } catch (e) {
    await pglite.close().catch(() => {});
    throw e;
  }
  return createPgliteDatabase(pglite, afterClose);
}
