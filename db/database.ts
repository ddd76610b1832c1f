import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { StatementRunner } from './prepared/prepared-statement.js';
import type * as schema from './schema/index.js';

/** A drizzle handle (database or transaction) over either driver. */
export type Drizzle = PgDatabase<PgQueryResultHKT, typeof schema>;

/** An open database: PGlite in-process or a PostgreSQL server, with the same API. */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction; never nest, and never call the vault from inside. */
  transaction<T>(fn: (tx: Drizzle) => Promise<T>): Promise<T>;
  /** Prepared statements run one at a time outside any transaction (the data plane's hot path). */
  readonly statements: StatementRunner;
  /** Releases connections, locks and sockets. */
  close(): Promise<void>;
}
