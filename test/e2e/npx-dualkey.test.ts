import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/e2e-cli.js';
import { FakeNpmRegistry } from '../support/fake-npm-registry.js';

/** Issue 12: `npx dualkey` in the project runs the linked bin at once (docs/decisions.md § CLI). */
describe('npx dualkey', () => {
  const dirs: string[] = [];
  const registries: FakeNpmRegistry[] = [];
  const tempDir = (label: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), `dualkey-${label}-`));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
    await Promise.all(registries.splice(0).map((r) => r.close()));
  });
  /** `npx dualkey help`, run asynchronously: the fake registry answers from this process's event loop. */
  const npx = (cwd: string, env: Record<string, string>) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile('npx', ['dualkey', 'help'], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      });
    });

  it('runs the bin linked into node_modules/.bin without installing the project into npm\'s npx cache', async () => {
    const cache = tempDir('npm-cache');
    const run = await npx(PROJECT_ROOT, { npm_config_cache: cache });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('usage: dualkey <command>');
    // npm 11 installs a project whose root package.json declares the bin into <cache>/_npx on every
    // run (loading both trees through arborist, ~0.3 s); the workspace's linked bin needs none of that.
    expect(existsSync(path.join(cache, '_npx'))).toBe(false);
  });

  it('never runs a "dualkey" from the registry in a clone not yet installed: the root package, named dualkey, shadows it', async () => {
    // Someone else's package named dualkey, served by a fake registry: running it leaves a marker.
    const impostor = tempDir('impostor');
    writeFileSync(path.join(impostor, 'package.json'), JSON.stringify({ name: 'dualkey', version: '9.9.9', bin: { dualkey: 'cli.js' } }));
    writeFileSync(path.join(impostor, 'cli.js'), '#!/usr/bin/env node\nrequire("fs").writeFileSync(process.env.IMPOSTOR_MARKER, "ran");\n');
    const packed = spawnSync('npm', ['pack', '--pack-destination', impostor], { cwd: impostor, env: { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_cache: tempDir('pack-cache') }, encoding: 'utf8' });
    expect(packed.status, packed.stderr).toBe(0);
    const registry = await FakeNpmRegistry.start({ name: 'dualkey', version: '9.9.9', bin: { dualkey: 'cli.js' }, tarball: path.join(impostor, 'dualkey-9.9.9.tgz') });
    registries.push(registry);
    const marker = path.join(tempDir('marker'), 'impostor-ran');
    const env = { npm_config_registry: registry.url, npm_config_yes: 'true', IMPOSTOR_MARKER: marker };

    // A fresh clone before `npm install`: the project's manifests, no node_modules. With the bin in a
    // workspace nothing is linked yet, so npx looks "dualkey" up in the local tree, where the root is it.
    const clone = tempDir('clone');
    copyFileSync(path.join(PROJECT_ROOT, 'package.json'), path.join(clone, 'package.json'));
    mkdirSync(path.join(clone, 'bin'));
    copyFileSync(path.join(PROJECT_ROOT, 'bin', 'package.json'), path.join(clone, 'bin', 'package.json'));
    const refused = await npx(clone, { ...env, npm_config_cache: tempDir('npm-cache') });
    expect(refused.status).not.toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(registry.requests.filter((p) => p.endsWith('.tgz'))).toEqual([]);

    // Outside any project the same npx fetches and runs it: the check above could see a run.
    const ran = await npx(tempDir('elsewhere'), { ...env, npm_config_cache: tempDir('npm-cache') });
    expect(ran.status, ran.stderr).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });
});
