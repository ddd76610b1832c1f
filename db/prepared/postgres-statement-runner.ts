import type { Sql } from 'postgres';
import { guardedTransaction } from '../transaction-guard.js';
import type { RawRow, StatementRunner } from './prepared-statement.js';

// Without type lookups (the serve socket) postgres.js cannot serialise a Date; the text casts read ISO strings.
const wire = (value: unknown): unknown => (value instanceof Date ? value.toISOString() : value);

/**
 * Prepared statements over postgres.js: one autocommit statement each, on any pooled connection.
 * `prepare` is false over a `dualkey serve` socket (one shared PGlite session: no named statements there);
 * the statement texts cast every parameter, so they also run unprepared.
 */
export function postgresStatementRunner(client: Sql, prepare: boolean): StatementRunner {
  return {
    run: (statement, params) =>
      guardedTransaction(async () => (await client.unsafe(statement.text, params.map(wire) as never[], { prepare })) as unknown as RawRow[]),
  };
}
