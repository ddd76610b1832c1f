import { AsyncLocalStorage } from 'node:async_hooks';

const inside = new AsyncLocalStorage<true>();

/**
 * Runs a transaction body, refusing to start one from inside another. On PGlite a nested
 * transaction would wait forever for the outer one; failing loudly turns that hang into a bug report.
 */
export async function guardedTransaction<T>(run: () => Promise<T>): Promise<T> {
  if (inside.getStore()) throw new Error('nested database transaction: a transaction (or a vault call) was started inside another one');
  return inside.run(true, run);
}
