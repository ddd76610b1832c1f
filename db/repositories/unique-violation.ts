/** PostgreSQL's SQLSTATE for a unique violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * True when `e` (or an error it wraps: drizzle puts the driver's error in `cause`) is a unique
 * violation of the named constraint or index, as both PGlite and postgres.js report it.
 */
export function violatesConstraint(e: unknown, constraint: string): boolean {
  for (let cur: unknown = e, depth = 0; cur && typeof cur === 'object' && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const err = cur as { code?: unknown; constraint?: unknown; constraint_name?: unknown; message?: unknown };
    if (err.code !== UNIQUE_VIOLATION) continue;
    const name = err.constraint ?? err.constraint_name;
    if (name === constraint) return true;
    if (name === undefined && typeof err.message === 'string' && err.message.includes(`"${constraint}"`)) return true;
  }
  return false;
}
