import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MIGRATIONS_FOLDER } from '../../db/migrations-folder.js';

/** Eight hex digits identifying the migration files, so a template is rebuilt whenever they change. */
export function migrationHash(): string {
  const hash = createHash('sha256');
  for (const file of listFiles(MIGRATIONS_FOLDER).sort()) {
    hash.update(relative(MIGRATIONS_FOLDER, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 8);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}
