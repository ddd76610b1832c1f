import { randomBytes } from 'node:crypto';
import { migratePostgres } from '../../db/migrate-postgres.js';
import { migrationHash } from './migration-hash.js';
import { adminClient, ident, retryInUse, withDatabase } from './postgres-admin.js';

const STALE_AFTER_S = 3600;

/**
 * Returns the name of a migrated template database for the current migrations, building it if
 * needed. It is built under a temporary name and renamed into place, so a crashed or concurrent run
 * never leaves a half-migrated template behind; test databases older than an hour are dropped.
 */
export async function ensurePostgresTemplate(url: string): Promise<string> {
  const name = `dualkey_tpl_${migrationHash()}`;
  const admin = adminClient(url);
  try {
    await dropStale(admin);
    if (await exists(admin, name)) return name;
    const building = `${name}_b${epoch()}_${randomBytes(3).toString('hex')}`;
    await admin.unsafe(`create database ${ident(building)}`);
    try {
      await migratePostgres(withDatabase(url, building));
      await retryInUse(admin, `alter database ${ident(building)} rename to ${ident(name)}`);
    } catch (e) {
      // Another run may have finished first: its template is as good as ours.
      if (!(await exists(admin, name))) throw e;
    } finally {
      await admin.unsafe(`drop database if exists ${ident(building)} with (force)`);
    }
    return name;
  } finally {
    await admin.end({ timeout: 5 });
  }
}

async function exists(admin: ReturnType<typeof adminClient>, name: string): Promise<boolean> {
  const rows = await admin`select 1 from pg_database where datname = ${name}`;
  return rows.length > 0;
}

/** Test databases (dualkey_t_<epoch>_…) and unfinished templates left by runs that crashed. */
async function dropStale(admin: ReturnType<typeof adminClient>): Promise<void> {
  const rows = await admin<{ datname: string }[]>`select datname from pg_database where datname ~ '^dualkey_(t_|tpl_[0-9a-f]{8}_b)[0-9]+_'`;
  const cutoff = epoch() - STALE_AFTER_S;
  for (const { datname } of rows) {
    const born = Number(/(\d+)_[0-9a-f]+$/.exec(datname)?.[1] ?? Number.NaN);
    if (born < cutoff) await admin.unsafe(`drop database if exists ${ident(datname)} with (force)`);
  }
}

/** Seconds since the epoch, to name databases by age (not a rule: test bookkeeping). */
export function epoch(): number {
  return Math.floor(Date.now() / 1000);
}
