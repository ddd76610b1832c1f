import postgres from 'postgres';
import type { Database } from './database.js';
import { migratePostgres } from './migrate-postgres.js';
import { createPostgresDatabase } from './postgres-database.js';

/** Options for a PostgreSQL server connection. */
export interface OpenPostgresOptions {
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

/** Connects to a PostgreSQL server, applying migrations first unless told not to. */
export async function openPostgres(databaseUrl: string, opts: OpenPostgresOptions = {}): Promise<Database> {
  if (opts.migrate ?? true) await migratePostgres(databaseUrl);
  const client = postgres(databaseUrl, { max: opts.poolSize ?? 10, onnotice: () => {} });
  return createPostgresDatabase(client);
}
