import type { UnitOfWork } from '../core/ports/store.js';
import type { Database } from './database.js';
import { createStore } from './create-store.js';
import { createHotPath } from './hot-path/create-hot-path.js';

/** A UnitOfWork whose every run is one database transaction with the repositories bound to it; `hot` runs single statements. */
export function createUnitOfWork(database: Database): UnitOfWork {
  return { run: (fn) => database.transaction((tx) => fn(createStore(tx))), hot: createHotPath(database.statements) };
}
