import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, type BenchRow } from './bench-row.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(ROOT, 'bin', 'dualkey.js');

function wallMs(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  // From the project root, as `npx dualkey` is run after `npm install` (npx resolves the package there).
  const r = spawnSync(cmd, args, { env, cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.toString()}`);
  return performance.now() - t0;
}

/** `dualkey status` wall time on the embedded database, alone and beside a running serve (issue 12 targets). */
export async function benchCli(runs = 7): Promise<BenchRow[]> {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-dist.mjs')], { stdio: 'inherit' });
  const dataDir = mkdtempSync(join(tmpdir(), 'dualkey-bench-cli-'));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, DUALKEY_DATA_DIR: dataDir, PORT: '0' } as NodeJS.ProcessEnv;
  try {
    wallMs(process.execPath, [BIN, 'tenant', 'create', 'acme'], env);
    wallMs(process.execPath, [BIN, 'instance', 'create', 'crm-prod'], env);
    const alone: number[] = [];
    const node: number[] = [];
    // The issue times `npx dualkey status`: npm's own start-up comes on top, so it is measured too (`npx -c true`).
    const npxAlone: number[] = [];
    const npxFloor: number[] = [];
    for (let i = 0; i < runs; i++) {
      alone.push(wallMs(process.execPath, [BIN, 'status'], env));
      node.push(wallMs(process.execPath, ['-e', '0'], env));
      npxAlone.push(wallMs('npx', ['dualkey', 'status'], env));
      npxFloor.push(wallMs('npx', ['-c', 'true'], env));
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
      { name: 'dualkey status alone (embedded PGlite) vs node -e 0', dualkey: median(alone), baseline: median(node), unit: 'ms', lowerIsBetter: true, target: { kind: 'value_below', value: 1500 } },
      { name: `dualkey status beside a running serve vs ${hasPsql ? "psql -c 'select 1'" : 'node -e 0 (no psql here)'}`, dualkey: median(beside), baseline: hasPsql ? median(psql) : median(node), unit: 'ms', lowerIsBetter: true, target: { kind: 'value_below', value: 500 } },
      { name: 'npx dualkey status alone (embedded PGlite) vs npx -c true', dualkey: median(npxAlone), baseline: median(npxFloor), unit: 'ms', lowerIsBetter: true, target: { kind: 'value_below', value: 1500 } },
      { name: 'npx dualkey status beside a running serve vs npx -c true', dualkey: median(npxBeside), baseline: median(npxFloor), unit: 'ms', lowerIsBetter: true, target: { kind: 'value_below', value: 500 } },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
