import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleClient } from '../support/console-client.js';
import { cleanEnv, DUALKEY_BIN, runDualkey } from '../support/e2e-cli.js';
import { testEngine } from '../support/test-database.js';

// The demo always runs on embedded PGlite, whatever the suite's engine: once per CI run is enough.
const embeddedRun = testEngine === 'postgres' ? it.skip : it;

/** `npm run demo` (= `dualkey demo`): a fresh data directory, a demo tenant, and one sign-in link per admin. */
describe('dualkey demo', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const scratch = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dualkey-demo-test-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };

  embeddedRun('starts on a new data directory, prints a sign-in link per admin that signs in, and shows the seeded instances', async () => {
    const cwd = scratch();
    const dataDir = path.join(cwd, 'demo-data');
    const child = spawn(process.execPath, [DUALKEY_BIN, 'demo', '--data-dir', dataDir], { cwd, env: { ...cleanEnv(), PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no sign-in links in time:\n${out}\n${err}`)), 60_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('play the two-person rule')) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then((code) => reject(new Error(`dualkey demo exited (${code}):\n${out}\n${err}`)));
    });

    const links = [...out.matchAll(/^ {2}(\w+) \(([^)]*)\): (http:\/\/127\.0\.0\.1:\d+)\/console\/sign-in\/([A-Za-z0-9_-]{43})$/gm)];
    expect(links.map((m) => m[1])).toEqual(['Ann', 'Bob', 'Cat']);
    expect(out).toContain('Open these in two different browsers (or a private window) to play the two-person rule');

    const base = links[0]![3]!;
    const bob = new ConsoleClient(base);
    const signedIn = await bob.signIn(links[1]![4]!);
    expect(signedIn.status).toBe(303);
    const instances = await bob.get('/console/');
    expect(instances.status).toBe(200);
    for (const name of ['crm-prod', 'hr-prod', 'billing-dev']) expect(instances.text).toContain(name);
    // Single use: Bob's link does not sign in a second browser.
    expect((await new ConsoleClient(base).signIn(links[1]![4]!)).status).not.toBe(303);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses an existing data directory, touching nothing in it', async () => {
    const cwd = scratch();
    const existing = path.join(cwd, 'prod');
    mkdirSync(existing);
    writeFileSync(path.join(existing, 'keep-me'), 'x');
    const r = await runDualkey<{ error: { code: string; message: string } }>(['demo', '--data-dir', existing, '--json'], { cwd, env: { ...cleanEnv(), PORT: '0' } });
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('demo_needs_fresh_data_dir');
    expect(r.json.error.message).toContain('already exists');
  });

  it('refuses to run against a PostgreSQL server (DATABASE_URL)', async () => {
    const cwd = scratch();
    const r = await runDualkey<{ error: { code: string; message: string } }>(['demo', '--json'], { cwd, env: { ...cleanEnv(), PORT: '0', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } });
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('demo_needs_fresh_data_dir');
    expect(r.json.error.message).toContain('unset DATABASE_URL');
  });
});
