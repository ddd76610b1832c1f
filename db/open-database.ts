import type { Database } from './database.js';
import { openEmbedded } from './open-embedded.js';
import { openPostgres } from './open-postgres.js';

/** Where the database is and how to open it. */
export interface OpenDatabaseOptions {
  /** A PostgreSQL server; when unset, the embedded PGlite in `dataDir` is used. */
  databaseUrl?: string;
  dataDir: string;
  /** How long to wait for another process holding the embedded database (default 30 s). */
  lockTimeoutMs?: number;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** PostgreSQL server pool size (default 10). */
  poolSize?: number;
  /**
   * Embedded only: never go through the socket of a `dualkey serve` that owns the data dir; wait for
   * the lock instead (serve must own the database to share it).
   */
  requireOwnership?: boolean;
  /** Embedded only: the process runs one command and exits (see OpenEmbeddedOptions.oneShot). */
  oneShot?: boolean;
}

/** Opens the database: a PostgreSQL server when `databaseUrl` is set, else the embedded PGlite in `dataDir`. */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, { migrate: opts.migrate, poolSize: opts.poolSize });
  return openEmbedded({ dataDir: opts.dataDir, lockTimeoutMs: opts.lockTimeoutMs, migrate: opts.migrate, requireOwnership: opts.requireOwnership, oneShot: opts.oneShot });
}
