import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildPgliteTemplate } from './pglite-template.js';
import { ensurePostgresTemplate } from './postgres-template.js';
import './test-engine.js';

/** Vitest global setup: one migrated template per run, which every test database is cloned from. */
export default async function setup(project: TestProject): Promise<() => void> {
  // Spawned `dualkey` processes run the compiled dist/ (bin/dualkey.js falls back to tsx when it is stale).
  execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'scripts', 'build-dist.mjs')], { stdio: 'inherit' });
  const url = process.env.DATABASE_URL;
  if (url) {
    project.provide('dualkeyDatabase', { engine: 'postgres', template: await ensurePostgresTemplate(url) });
    return () => {};
  }
  const dir = mkdtempSync(join(tmpdir(), 'dualkey-tpl-'));
  const dumpPath = join(dir, 'pgdata.tar');
  const pgdataPath = join(dir, 'pgdata');
  writeFileSync(dumpPath, Buffer.from(await (await buildPgliteTemplate(pgdataPath)).arrayBuffer()));
  project.provide('dualkeyDatabase', { engine: 'pglite', dumpPath, pgdataPath });
  return () => rmSync(dir, { recursive: true, force: true });
}
