/** The engine every suite runs against: PGlite by default, the PostgreSQL server of DATABASE_URL when set. */
export const testEngine: 'pglite' | 'postgres' = process.env.DATABASE_URL ? 'postgres' : 'pglite';

/** What global setup hands the test workers. */
export type ProvidedDatabase =
  /** A dump of the migrated template (in-memory databases) and the template's PGDATA on disk (on-disk ones). */
  | { engine: 'pglite'; dumpPath: string; pgdataPath: string }
  | { engine: 'postgres'; template: string };

declare module 'vitest' {
  export interface ProvidedContext {
    dualkeyDatabase: ProvidedDatabase;
  }
}

/**
 * True on the PostgreSQL run: suites whose subject does not depend on the database engine (a real browser, an
 * HSM token, the fake Key Vault, CLI output of a real mariadbd setup) run once per CI run, on PGlite, to keep
 * CI inside its time budget; what the engine itself does is covered by the suites that run on both.
 */
export const engineIndependentSkip = testEngine === 'postgres';
