import { PGlite } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import { migratePglite } from '../../db/pglite-database.js';

/**
 * Initialises and migrates a PGlite (initdb is the slow part: do it once per run) and returns it
 * dumped as an uncompressed tarball. With `pgdata`, the database is built on disk there (and left
 * there, cleanly shut down, to be copied); otherwise in memory.
 */
export async function buildPgliteTemplate(pgdata?: string): Promise<Blob> {
  if (pgdata) mkdirSync(pgdata, { recursive: true, mode: 0o700 });
  const pglite = pgdata ? await PGlite.create(pgdata) : await PGlite.create();
  try {
    await migratePglite(pglite);
    return await pglite.dumpDataDir('none');
  } finally {
    await pglite.close();
  }
}
