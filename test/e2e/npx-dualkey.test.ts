import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/e2e-cli.js';

/** Issue 12: `npx dualkey` in the project runs the linked bin at once (docs/decisions.md § CLI). */
describe('npx dualkey', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('runs the bin linked into node_modules/.bin without installing the project into npm\'s npx cache', () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'dualkey-npm-cache-'));
    dirs.push(cache);
    const run = spawnSync('npx', ['dualkey', 'help'], { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_cache: cache }, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('usage: dualkey <command>');
    // npm 11 installs a project whose root package.json declares the bin into <cache>/_npx on every
    // run (loading both trees through arborist, ~0.3 s); the workspace's linked bin needs none of that.
    expect(existsSync(path.join(cache, '_npx'))).toBe(false);
  });
});
