/** A statement worth preparing once per connection: its text uses $1…$n, each with the PostgreSQL type in `types`. */
export interface PreparedStatement {
  /** Unique per statement text (a server-side name on PGlite). */
  readonly name: string;
  readonly text: string;
  /** PostgreSQL type of each parameter, in order ($1 first). */
  readonly types: readonly ParamType[];
}

/** The parameter types the hot statements use (each has a literal encoding on PGlite). */
export type ParamType = 'text' | 'bytea' | 'integer' | 'bigint' | 'timestamptz';

/** A row as the driver returned it (bytea as Buffer or Uint8Array, int8 as number, bigint or string). */
export type RawRow = Record<string, unknown>;

/** Runs prepared statements as single autocommit statements, outside any transaction. */
export interface StatementRunner {
  run(statement: PreparedStatement, params: readonly unknown[]): Promise<RawRow[]>;
}

/** Defines a statement; the name is derived from `label` so two definitions cannot collide by accident. */
export function preparedStatement(label: string, text: string, types: readonly ParamType[]): PreparedStatement {
  const placeholders = new Set([...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  // A mismatch would bind a value to the wrong column; fail when the module loads, not at the first request.
  if (placeholders.size !== types.length || [...placeholders].some((n) => n < 1 || n > types.length)) {
    throw new Error(`statement ${label}: ${types.length} parameter types for placeholders ${[...placeholders].join(',')}`);
  }
  return { name: `dualkey_${label.replace(/[^a-z0-9_]/g, '_')}`, text, types };
}
