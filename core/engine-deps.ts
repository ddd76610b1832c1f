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
}
