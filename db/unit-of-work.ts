import type { UnitOfWork } from '../core/ports/store.js';
import type { Database } from './database.js';
import { createStore } from './create-store.js';

/** A UnitOfWork whose every run is one database transaction with the repositories bound to it. */
export function createUnitOfWork(database: Database): UnitOfWork {
  return { run: (fn) => database.transaction((tx) => fn(createStore(tx))) };
}
