import type { PGlite } from '@electric-sql/pglite';
import type { SessionGate } from '../session-gate.js';
import { guardedTransaction } from '../transaction-guard.js';
import type { PreparedStatement, RawRow, StatementRunner } from './prepared-statement.js';
import { sqlLiteral } from './sql-literal.js';

// invalid_sql_statement_name: the session lost the statement (a socket client ran DISCARD ALL / DEALLOCATE).
const NOT_PREPARED = '26000';
// duplicate_prepared_statement: left by another runner on the same PGlite; prepared again from our text.
const ALREADY_PREPARED = '42P05';

/**
 * Prepared statements on PGlite, run as `EXECUTE name(literals)` over the simple protocol: measured
 * here at a third of the cost of `query()` with parameters, which parses and plans on every call.
 * Each run takes the shared side of the session gate, so it never lands inside a socket client's transaction.
 */
export function pgliteStatementRunner(pglite: PGlite, gate: SessionGate): StatementRunner {
  // One preparation per statement even when the first calls arrive together.
  const prepared = new Map<string, Promise<void>>();
  const prepare = async (s: PreparedStatement) => {
    const text = `PREPARE ${s.name}(${s.types.join(', ')}) AS ${s.text}`;
    try {
      await pglite.exec(text);
    } catch (e) {
      if ((e as { code?: string }).code !== ALREADY_PREPARED) throw e;
      await pglite.exec(`DEALLOCATE ${s.name}; ${text}`);
    }
  };
  const execute = async (s: PreparedStatement, args: string): Promise<RawRow[]> => {
    let ready = prepared.get(s.name);
    if (!ready) {
      ready = prepare(s).catch((e: unknown) => {
        prepared.delete(s.name);
        throw e;
      });
      prepared.set(s.name, ready);
    }
    await ready;
    const results = await pglite.exec(`EXECUTE ${s.name}(${args})`);
    return (results.at(-1)?.rows ?? []) as RawRow[];
  };
  return {
    run: (statement, params) => {
      const args = statement.types.map((type, i) => sqlLiteral(type, params[i])).join(', ');
      return guardedTransaction(() =>
        gate.run('shared', async () => {
          try {
            return await execute(statement, args);
          } catch (e) {
            if ((e as { code?: string }).code !== NOT_PREPARED) throw e;
            prepared.clear();
            return execute(statement, args);
          }
        }),
      );
    },
  };
}
