import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, type BenchRow } from './bench-row.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(ROOT, 'bin', 'dualkey.js');

function wallMs(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): number {
  const t0 = performance.now();
  // From the project root, as `npx dualkey` is run after `npm install` (npx resolves the package there).
  const r = spawnSync(cmd, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.toString()}`);
  return performance.now() - t0;
}

/**
 * A project whose workspace declares a bin that does nothing, installed offline: `npx noop-bin` there takes
 * npx's path for `npx dualkey` (a bin in node_modules/.bin) and starts node once, so it is npx's floor.
 * (`npx -c true` is no floor: it loads the local tree through arborist, which `npx <bin>` does not.)
 */
function npxFloorProject(env: NodeJS.ProcessEnv): string {
  const dir = mkdtempSync(join(tmpdir(), 'dualkey-bench-npx-floor-'));
  mkdirSync(join(dir, 'noop'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'npx-floor', version: '1.0.0', private: true, workspaces: ['noop'] }));
  writeFileSync(join(dir, 'noop', 'package.json'), JSON.stringify({ name: 'noop-bin', version: '1.0.0', bin: { 'noop-bin': 'noop.js' } }));
  writeFileSync(join(dir, 'noop', 'noop.js'), '#!/usr/bin/env node\n');
  chmodSync(join(dir, 'noop', 'noop.js'), 0o755);
  const installed = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (installed.status !== 0) throw new Error(`bench: npm install of the npx floor project failed: ${installed.stderr?.toString()}`);
  return dir;
}

/** `dualkey status` wall time on the embedded database, alone and beside a running serve (issue 12 targets). */
export async function benchCli(runs = 7): Promise<BenchRow[]> {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-dist.mjs')], { stdio: 'inherit' });
  const dataDir = mkdtempSync(join(tmpdir(), 'dualkey-bench-cli-'));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, DUALKEY_DATA_DIR: dataDir, PORT: '0' } as NodeJS.ProcessEnv;
  const floorDir = npxFloorProject(env);
  try {
    wallMs(process.execPath, [BIN, 'tenant', 'create', 'acme'], env);
    wallMs(process.execPath, [BIN, 'instance', 'create', 'crm-prod'], env);
    const alone: number[] = [];
    const node: number[] = [];
    // The issue times `npx dualkey status`: npm's own start-up comes on top, so it is measured too (npx of a bin that does nothing).
    const npxAlone: number[] = [];
    const npxFloor: number[] = [];
    for (let i = 0; i < runs; i++) {
      alone.push(wallMs(process.execPath, [BIN, 'status'], env));
      node.push(wallMs(process.execPath, ['-e', '0'], env));
      npxAlone.push(wallMs('npx', ['dualkey', 'status'], env));
      npxFloor.push(wallMs('npx', ['noop-bin'], env, floorDir));
    }
    const serve = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((ok, fail) => {
      let err = '';
      serve.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('"msg":"dualkey serving"')) ok();
      });
      serve.once('exit', (code) => fail(new Error(`serve exited ${code}: ${err}`)));
    });
    const beside: number[] = [];
    const npxBeside: number[] = [];
    const psql: number[] = [];
    const hasPsql = spawnSync('psql', ['--version']).status === 0;
    try {
      for (let i = 0; i < runs; i++) {
        beside.push(wallMs(process.execPath, [BIN, 'status'], env));
        npxBeside.push(wallMs('npx', ['dualkey', 'status'], env));
        if (hasPsql) psql.push(wallMs('psql', ['-h', '127.0.0.1', '-U', 'root', '-d', 'test', '-c', 'select 1'], env));
      }
    } finally {
      serve.kill('SIGTERM');
      await new Promise((r) => serve.once('exit', r));
    }
    return [
      { name: 'dualkey status alone (embedded PGlite) vs node -e 0', dualkey: median(alone), baseline: median(node), unit: 'ms', lowerIsBetter: true, target: { kind: 'value_below', value: 1500 }, bound: { value: median(node), text: 'node -e 0' } },
      { name: `dualkey status beside a running serve vs ${hasPsql ? "psql -c 'select 1'" : 'node -e 0 (no psql here)'}`, dualkey: median(beside), baseline: hasPsql ? median(psql) : median(node), unit: 'ms', lowerIsBetter: true, target: { kind: 'value_below', value: 500 }, bound: { value: median(node), text: 'node -e 0' } },
      { name: 'npx dualkey status alone (embedded PGlite) vs npx of a bin that does nothing', dualkey: median(npxAlone), baseline: median(npxFloor), unit: 'ms', lowerIsBetter: true, target: { kind: 'value_below', value: 1500 }, bound: { value: median(npxFloor), text: 'npx of a bin that does nothing' } },
      { name: 'npx dualkey status beside a running serve vs npx of a bin that does nothing', dualkey: median(npxBeside), baseline: median(npxFloor), unit: 'ms', lowerIsBetter: true, target: { kind: 'value_below', value: 500 }, bound: { value: median(npxFloor), text: 'npx of a bin that does nothing' } },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(floorDir, { recursive: true, force: true });
  }
}
