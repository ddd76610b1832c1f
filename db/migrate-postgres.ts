import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { MIGRATIONS_FOLDER } from './migrations-folder.js';

// Session advisory lock serializing migrations across replicas that start together ("dualkey:m").
const MIGRATION_LOCK_KEY = '7234298812375349';

/** Applies pending migrations to a PostgreSQL server, one process at a time. */
export async function migratePostgres(databaseUrl: string): Promise<void> {
  // One connection: the session lock and every migration statement share it.
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await client.unsafe(`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.unsafe(`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}
