import type { EngineDeps } from '../engine-deps.js';
import { completeDestroy } from './complete-destroy.js';
import { compensateImport } from './journal-steps.js';

/**
 * An open import younger than this may belong to an operation still running in another process;
 * recovery leaves it alone until then (its commit would otherwise lose the race and be refused).
 */
export const IMPORT_GRACE_MS = 2 * 60_000;

/** Summary of one recovery pass. */
export interface RecoveryReport {
  completed: number;
  compensated: number;
  deferred: number;
}

/** Completes committed destroys and compensates imports that never committed (I4); run at every start and with every sweep. */
export async function recoverJournal(deps: EngineDeps): Promise<RecoveryReport> {
  const report: RecoveryReport = { completed: 0, compensated: 0, deferred: 0 };
  const entries = await deps.uow.run((store) => store.journal.unfinished());
  const now = deps.clock.now().getTime();
  for (const entry of entries) {
    if (entry.kind === 'destroy') {
      await completeDestroy(deps, entry);
      report.completed++;
    } else if (entry.state === 'compensating' || now - entry.createdAt.getTime() >= IMPORT_GRACE_MS) {
      if (await compensateImport(deps, entry)) report.compensated++;
    } else {
      report.deferred++;
    }
  }
  if (entries.length > 0) deps.logger.info('journal recovery', { ...report });
  return report;
}
