import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { Database } from '../db/database.js';
import { openDatabase } from '../db/open-database.js';

/** A migrated database the benchmark owns alone: nothing else's outbox rows or tenants in it. */
export interface PrivateDatabase {
  database: Database;
  /** "PostgreSQL server" or "embedded PGlite", for labels. */
  label: string;
  /** Closes it and deletes it (server database dropped, PGlite data dir removed). */
  dispose(): Promise<void>;
}

/**
 * With DATABASE_URL: a fresh database `dualkey_bench_<epoch>_<hex>` on that server, migrated, dropped on
 * dispose. Without it: an embedded PGlite in a temporary data dir, removed on dispose.
 */
export async function openPrivateDatabase(): Promise<PrivateDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const dir = mkdtempSync(path.join(tmpdir(), 'dualkey-bench-'));
    try {
      const database = await openDatabase({ dataDir: dir });
      return { database, label: 'embedded PGlite', dispose: async () => { await database.close(); rmSync(dir, { recursive: true, force: true }); } };
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }
  const name = `dualkey_bench_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const drop = async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
  };
  await admin.unsafe(`create database "${name}"`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  try {
    const database = await openDatabase({ databaseUrl: u.toString(), dataDir: '', migrate: true });
    return { database, label: 'PostgreSQL server', dispose: async () => { await database.close(); await drop(); } };
  } catch (e) {
    await drop();
    throw e;
  }
}
