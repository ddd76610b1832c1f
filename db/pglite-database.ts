import type { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { Database, Drizzle } from './database.js';
import { MIGRATIONS_FOLDER } from './migrations-folder.js';
import * as schema from './schema/index.js';
import { pgliteStatementRunner } from './prepared/pglite-statement-runner.js';
import { SessionGate } from './session-gate.js';
import { guardedTransaction } from './transaction-guard.js';

/** The embedded database: the PGlite handle and the gate that socket sessions share with in-process transactions. */
export interface PgliteDatabase extends Database {
  readonly kind: 'pglite';
  readonly pglite: PGlite;
  readonly gate: SessionGate;
  /** Registers work to do before PGlite closes (e.g. stop sharing it over a socket). */
  beforeClose(hook: () => Promise<void>): void;
}

/** True when `database` is the embedded kind. */
export function isPgliteDatabase(database: Database): database is PgliteDatabase {
  return database.kind === 'pglite' && 'pglite' in database;
}

/** Applies pending migrations to an embedded database. */
export async function migratePglite(pglite: PGlite): Promise<void> {
  await migrate(drizzle(pglite, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
}

/** Wraps an open PGlite; `afterClose` runs once PGlite is closed (e.g. release the data-dir lock). */
export function createPgliteDatabase(pglite: PGlite, afterClose: () => void = () => {}): PgliteDatabase {
  const db = drizzle(pglite, { schema });
  const gate = new SessionGate();
  const hooks: Array<() => Promise<void>> = [];
  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    try {
      for (const hook of hooks.splice(0)) await hook();
      await pglite.close();
    } finally {
      afterClose();
    }
  };
  return {
    kind: 'pglite',
    pglite,
    gate,
    // Every in-process transaction takes the shared side, so a socket session never interleaves with it.
    transaction: (fn) => guardedTransaction(() => gate.run('shared', () => db.transaction((tx) => fn(tx as unknown as Drizzle)))),
    statements: pgliteStatementRunner(pglite, gate),
    beforeClose: (hook) => void hooks.push(hook),
    close: () => (closing ??= close()),
  };
}
