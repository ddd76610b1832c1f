import type { ParamType } from './prepared-statement.js';

/**
 * A parameter as an SQL literal, for `EXECUTE name(…)` over PGlite's simple protocol. Escape strings
 * (E'…') read the same whatever `standard_conforming_strings` is, so a quote or a backslash in a value
 * can never end the literal; NUL cannot be stored in text and is refused.
 */
export function sqlLiteral(type: ParamType, value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  switch (type) {
    case 'text':
      if (typeof value !== 'string') throw new TypeError('text parameter must be a string');
      return escapeString(value);
    case 'bytea':
      if (!(value instanceof Uint8Array)) throw new TypeError('bytea parameter must be bytes');
      return `E'\\\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}'`;
    case 'integer':
    case 'bigint':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new TypeError(`${type} parameter must be a safe integer`);
      return String(value);
    case 'timestamptz':
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new TypeError('timestamptz parameter must be a valid Date');
      return `'${value.toISOString()}'`;
  }
}

function escapeString(value: string): string {
  if (value.includes('\u0000')) throw new TypeError('text parameter contains NUL');
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}
