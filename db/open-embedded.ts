import type { PGlite } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectToServe } from './connect-to-serve.js';
import type { Database } from './database.js';
import { pgdataDir } from './data-dir-layout.js';
import { databaseBusy, type DataDirLock, tryAcquireDataDirLock } from './data-dir-lock.js';

/** Options for the embedded database. */
export interface OpenEmbeddedOptions {
  dataDir: string;
  lockTimeoutMs?: number;
  migrate?: boolean;
  /** Skip the socket of a serve that owns the data dir: only an in-process PGlite will do. */
  requireOwnership?: boolean;
  /** A process that runs one command and exits (the CLI): PGlite starts with ONE_SHOT_SHARED_BUFFERS. */
  oneShot?: boolean;
}

/**
 * Shared buffers of a one-shot PGlite, instead of postgresql.conf's 128 MB: measured here, a CLI run starts
 * ~0.1 s sooner and peaks ~120 MB lower; it reads a few hundred pages, and the OS page cache holds the rest.
 * A start parameter, so the data dir's configuration (and serve's 128 MB) stays as it is.
 */
export const ONE_SHOT_SHARED_BUFFERS = '16MB';

const POLL_MS = 100;

/**
 * Opens the embedded database of `dataDir`: through the socket of a `dualkey serve` that owns it,
 * or in-process under the data-dir lock (PGlite is single-process: two owners would corrupt it).
 */
export async function openEmbedded(opts: OpenEmbeddedOptions): Promise<Database> {
  const timeoutMs = opts.lockTimeoutMs ?? 30_000;
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    // Checked on every round: the owner may start sharing while we wait for its lock.
    const shared = opts.requireOwnership ? null : await connectToServe(opts.dataDir, timeoutMs);
    if (shared) return shared;
    const attempt = tryAcquireDataDirLock(opts.dataDir);
    if ('held' in attempt) return openLocked(opts.dataDir, attempt.held, opts.migrate ?? true, opts.oneShot ?? false);
    if (performance.now() >= deadline) throw databaseBusy(opts.dataDir, attempt.busyPid);
    await sleep(POLL_MS);
  }
}

async function openLocked(dataDir: string, lock: DataDirLock, migrate: boolean, oneShot: boolean): Promise<Database> {
  let pglite: PGlite | null = null;
  try {
    // Loaded only by the owner of the data dir: a CLI beside `serve` talks over its socket and never loads PGlite.
    const [{ PGlite: Pglite }, { createPgliteDatabase, migratePglite }] = await Promise.all([import('@electric-sql/pglite'), import('./pglite-database.js')]);
    const options = oneShot ? { startParams: [...Pglite.defaultStartParams, '-c', `shared_buffers=${ONE_SHOT_SHARED_BUFFERS}`] } : {};
    pglite = await Pglite.create(pgdataDir(dataDir), options);
    if (migrate) await migratePglite(pglite);
    return createPgliteDatabase(pglite, () => lock.release());
  } catch (e) {
    await pglite?.close().catch(() => {});
    lock.release();
    throw e;
  }
}
