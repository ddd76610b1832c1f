import { drizzle } from 'drizzle-orm/postgres-js';
import type { Sql } from 'postgres';
import type { Database, Drizzle } from './database.js';
import { postgresStatementRunner } from './prepared/postgres-statement-runner.js';
import * as schema from './schema/index.js';
import { guardedTransaction } from './transaction-guard.js';

/** A Database over a postgres.js client (a PostgreSQL server, or a `dualkey serve` socket: `prepare` false). */
export function createPostgresDatabase(client: Sql, { prepare = true }: { prepare?: boolean } = {}): Database {
  const db = drizzle(client, { schema });
  let closing: Promise<void> | null = null;
  return {
    kind: 'postgres',
    transaction: (fn) => guardedTransaction(() => db.transaction((tx) => fn(tx as unknown as Drizzle))),
    statements: postgresStatementRunner(client, prepare),
    close: () => (closing ??= client.end({ timeout: 5 })),
  };
}
