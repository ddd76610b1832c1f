import { sql, type SQL } from 'drizzle-orm';
import type { PreparedStatement } from './prepared-statement.js';

/** The same statement as a drizzle query, to run it inside a transaction with the same text and parameters. */
export function boundSql(statement: PreparedStatement, params: readonly unknown[]): SQL {
  const chunks: SQL[] = [];
  let last = 0;
  for (const m of statement.text.matchAll(/\$(\d+)/g)) {
    chunks.push(sql.raw(statement.text.slice(last, m.index)), sql`${portable(params[Number(m[1]) - 1])}`);
    last = m.index + m[0].length;
  }
  chunks.push(sql.raw(statement.text.slice(last)));
  return sql.join(chunks);
}

// drizzle's postgres-js session hands values to the driver untyped; a Date then fails to serialise, an ISO string never does.
function portable(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}
