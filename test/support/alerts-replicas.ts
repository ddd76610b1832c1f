import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmailChannel } from '../../bot/channels/email-channel.js';
import { loadConfig } from '../../bot/runtime/config.js';
import type { Scheduler } from '../../bot/scheduler/scheduler.js';
import { startServer, type RunningServer } from '../../bot/start-server.js';
import type { Engine } from '../../core/engine.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Database } from '../../db/database.js';
import { openDatabase } from '../../db/open-database.js';
import { MemoryLogger } from './engine-harness.js';

/** One `dualkey serve` of the fleet: its own connection pool, e-mail channel and (stopped) scheduler. */
export interface Replica {
  name: string;
  server: RunningServer;
  engine: Engine;
  scheduler: Scheduler;
  database: Database;
  email: EmailChannel;
  logger: MemoryLogger;
}

/** Several replicas on one PostgreSQL database, as `dualkey serve` runs them in production. */
export interface ReplicaFleet {
  replicas: Replica[];
  /** Runs `fn` on every replica at once. */
  all<T>(fn: (replica: Replica, index: number) => Promise<T>): Promise<T[]>;
  /** Stops every server, closes every pool and channel, removes the shared data dir. */
  close(): Promise<void>;
}

/** What the fleet shares: the database, the injected clock and the SMTP server. */
export interface FleetOptions {
  count: number;
  databaseUrl: string;
  clock: Clock;
  smtpUrl: string;
  poolSize?: number;
}

/**
 * Starts `count` servers on one PostgreSQL database, each with its own pool (openDatabase per replica),
 * its own EmailChannel to the shared SMTP server, and no timers: the test drives `scheduler.tick()` and
 * `scheduler.deliver()`. They share one master key file, as replicas of one deployment share a vault.
 */
export async function startReplicaFleet(opts: FleetOptions): Promise<ReplicaFleet> {
  const work = mkdtempSync(path.join(tmpdir(), 'dualkey-replicas-'));
  const masterKeyFile = path.join(work, 'master.key');
  writeFileSync(masterKeyFile, randomBytes(32), { mode: 0o600 });
  const config = loadConfig({
    DATABASE_URL: opts.databaseUrl, DUALKEY_DATA_DIR: work, DUALKEY_MASTER_KEY_FILE: masterKeyFile, SMTP_URL: opts.smtpUrl,
    PORT: '0', DUALKEY_REMINDER_HOURS: '24,1', DUALKEY_DEV_IMPERSONATION: 'true',
  });
  const replicas: Replica[] = [];
  const close = async () => {
    await Promise.allSettled(replicas.map(async (r) => {
      await r.server.close();
      r.email.close();
      await r.database.close();
    }));
    rmSync(work, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < opts.count; i++) {
      const database = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: work, migrate: false, poolSize: opts.poolSize ?? 5 });
      const email = new EmailChannel({ smtpUrl: opts.smtpUrl, from: 'dualkey@dualkey.example.com', publicUrl: 'https://dualkey.example.com' });
      const logger = new MemoryLogger();
      let server: RunningServer;
      try {
        server = await startServer(config, { database, clock: opts.clock, logger, channels: { email }, startScheduler: false });
      } catch (e) {
        email.close();
        await database.close();
        throw e;
      }
      replicas.push({ name: `replica-${i + 1}`, server, engine: server.runtime.engine, scheduler: server.scheduler, database, email, logger });
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { replicas, all: (fn) => Promise.all(replicas.map(fn)), close };
}
