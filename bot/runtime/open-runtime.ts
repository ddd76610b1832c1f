import path from 'node:path';
import { createEngine, type Engine } from '../../core/engine.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import type { Random } from '../../core/ports/random.js';
import type { Vault } from '../../core/ports/vault.js';
import { noStepHook, type StepHook } from '../../core/ports/step-hook.js';
import type { Database } from '../../db/database.js';
import { openDatabase } from '../../db/open-database.js';
import { createUnitOfWork } from '../../db/unit-of-work.js';
import { createVault } from '../../vault/create-vault.js';
import { pkcs11ConfigOf } from './pkcs11-config.js';
import { azureVaultConfig } from './azure-vault-config.js';
import type { Config } from './config.js';
import { cryptoRandom } from './crypto-random.js';
import { silentLogger } from './json-logger.js';
import { systemClock } from './system-clock.js';

/** An open database, vault and engine, ready for a CLI run or the server. */
export interface Runtime {
  config: Config;
  database: Database;
  engine: Engine;
  /** The vault the engine uses (serve checks its custody at start). */
  vault: Vault;
  dataDir: string;
  close(): Promise<void>;
}

/** Ports a caller may replace (tests inject a clock and fault hooks). */
export interface RuntimeOverrides {
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  steps?: StepHook;
  /** An already open database (tests); it is not closed by the runtime. */
  database?: Database;
  /** Local-development impersonation, when not taken from DUALKEY_DEV_IMPERSONATION. */
  devImpersonation?: boolean;
  /** The process runs one command and exits (the CLI): an embedded database it opens starts smaller. */
  oneShot?: boolean;
}

/** Opens everything dualkey needs from a validated configuration. */
export async function openRuntime(config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const dataDir = path.resolve(config.DUALKEY_DATA_DIR);
  const clock = overrides.clock ?? systemClock;
  const database = overrides.database ?? (await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir, lockTimeoutMs: config.DUALKEY_DB_LOCK_TIMEOUT_MS, oneShot: overrides.oneShot }));
  try {
    const vault = await createVault({ kind: config.DUALKEY_VAULT, database, dataDir, masterKeyFile: config.DUALKEY_MASTER_KEY_FILE, keyDir: config.DUALKEY_VAULT_KEY_DIR, now: () => clock.now(), pkcs11: pkcs11ConfigOf(config), azure: azureVaultConfig(config) });
    const engine = createEngine({
      uow: createUnitOfWork(database),
      vault,
      clock,
      random: overrides.random ?? cryptoRandom,
      logger: overrides.logger ?? silentLogger,
      steps: overrides.steps ?? noStepHook,
      devImpersonation: overrides.devImpersonation ?? config.DUALKEY_DEV_IMPERSONATION,
      kvGrantCacheMs: config.DUALKEY_KV_GRANT_CACHE_MS,
    });
    // A vault holding sessions on an HSM lets go of them (the local vault has nothing to close).
    const closeVault = () => (vault as { close?: () => void }).close?.();
    return { config, database, engine, vault, dataDir, close: async () => (closeVault(), overrides.database ? undefined : database.close()) };
  } catch (e) {
    if (!overrides.database) await database.close();
    throw e;
  }
}
