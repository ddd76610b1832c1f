import type { SQL } from 'drizzle-orm';
import type { Drizzle } from '../database.js';

/** Runs a raw statement and returns its rows on either driver (postgres.js: an array; PGlite: `{ rows }`). */
export async function rawRows<T>(tx: Drizzle, query: SQL): Promise<T[]> {
  const result: unknown = await tx.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** bigint/int8 as a number: postgres.js returns it as a string, PGlite as a number. */
export function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}
