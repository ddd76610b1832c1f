import type { Clock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import type { Random } from './ports/random.js';
import type { StepHook } from './ports/step-hook.js';
import type { UnitOfWork } from './ports/store.js';
import type { Vault } from './ports/vault.js';

/** Everything a use case may touch: the ports, nothing else. */
export interface EngineDeps {
  uow: UnitOfWork;
  vault: Vault;
  clock: Clock;
  random: Random;
  logger: Logger;
  steps: StepHook;
  /**
   * Local development only (DUALKEY_DEV_IMPERSONATION): lets the operator's CLI act for an admin with `--as`.
   * Absent means false: an operator-impersonated actor is refused for every decision, lock, key and roster change.
   */
  devImpersonation?: boolean;
  /**
   * How long the MariaDB key server may answer a token from this process's memory (DUALKEY_KV_GRANT_CACHE_MS).
   * Absent or 0: every request reads the token's instance afresh. A state change this process makes drops it at once.
   */
  kvGrantCacheMs?: number;
}
