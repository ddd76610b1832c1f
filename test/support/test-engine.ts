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
