import { createEngine, type Engine } from '../../core/engine.js';
import { cryptoRandom } from '../../bot/runtime/crypto-random.js';
import type { AzureVault } from '../../vault/azure/azure-vault.js';
import { startAzureFake, type AzureFakeWorld } from './azure-fake-adapter.js';
import { MemoryLogger } from './engine-harness.js';
import { FaultHook } from './fault-hook.js';
import { TestClock } from './test-clock.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** A real engine on a private test database and the Azure adapter on a fake Key Vault (DUALKEY_VAULT=azure in process). */
export interface AzureHarness {
  db: TestDatabase;
  engine: Engine;
  clock: TestClock;
  vault: AzureVault;
  world: AzureFakeWorld;
  logger: MemoryLogger;
  dispose(): Promise<void>;
}

/** Builds the harness; the fake vault dates deletions with the same injected clock. */
export async function createAzureHarness(opts: { purgeProtection?: boolean } = {}): Promise<AzureHarness> {
  const db = await createTestDatabase();
  const clock = new TestClock();
  const logger = new MemoryLogger();
  const world = await startAzureFake({ now: () => clock.now(), ...opts });
  const vault = world.open();
  // As a server configured with SMTP, Slack and Teams would have recorded at its start.
  await db.uow.run((store) => store.deploymentChannels.replace(['email', 'slack', 'teams'], clock.now()));
  const engine = createEngine({ uow: db.uow, vault, clock, random: cryptoRandom, logger, steps: new FaultHook(), devImpersonation: true });
  return {
    db, engine, clock, vault, world, logger,
    dispose: async () => {
      await db.dispose();
      await world.close();
    },
  };
}
