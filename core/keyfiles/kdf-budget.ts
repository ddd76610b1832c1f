import { MAX_TOTAL_KDF_ITERATIONS } from './limits.js';
import { pfxMalformed } from './pfx-errors.js';

/** Counts the hash iterations one parse runs, so a file full of admitted-but-large KDFs still parses in bounded time. */
export class KdfBudget {
  private spent = 0;

  /** True when `cost` more iterations fit in the budget. */
  canAfford(cost: number): boolean {
    return this.spent + cost <= MAX_TOTAL_KDF_ITERATIONS;
  }

  /** Records `cost` iterations about to run, refusing the file (`keyfile_malformed`) when they do not fit. */
  spend(cost: number): void {
    if (!this.canAfford(cost)) {
      throw pfxMalformed(
        `its key derivations together ask for more than ${MAX_TOTAL_KDF_ITERATIONS.toLocaleString('en-US')} iterations`,
        { maxTotalIterations: MAX_TOTAL_KDF_ITERATIONS },
      );
    }
    this.spent += cost;
  }
}
