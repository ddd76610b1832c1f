import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliWorkspace, PROJECT_ROOT, spawnServe, type CliWorkspace } from '../support/e2e-cli.js';
import { testEngine } from '../support/test-database.js';

const REGISTER = pathToFileURL(path.join(PROJECT_ROOT, 'test', 'fixtures', 'module-trace', 'register.mjs')).href;
/** Packages only serve, the console pages or alert delivery need (issue 12 item 2). */
const HEAVY = ['nodemailer', '@slack/bolt', '@slack/web-api', '@microsoft/teams.apps', '@microsoft/teams.api', '@microsoft/teams.cards', '@simplewebauthn/server', '@azure/identity', 'pkcs11js'];

/** Issue 12 item 2: a CLI command loads only the modules it needs. */
describe('the CLI loads only what a command needs', () => {
  let ws: CliWorkspace;
  beforeAll(async () => {
    ws = await createCliWorkspace();
    expect((await ws.run(['tenant', 'create', 'acme', '--json'])).code).toBe(0);
  });
  afterAll(() => ws.dispose());

  let runs = 0;
  async function packagesLoadedBy(args: string[]): Promise<string[]> {
    // A file per run: the hook appends, and two tests trace the same command line.
    const trace = path.join(ws.cwd, `trace-${++runs}-${args.join('-')}.txt`);
    const run = await ws.run(args, { env: { NODE_OPTIONS: `--import ${REGISTER}`, MODULE_TRACE_FILE: trace } });
    expect(run.code, run.stderr).toBe(0);
    // The hook writes the file on the first package resolved: no file, no package.
    return existsSync(trace) ? [...new Set(readFileSync(trace, 'utf8').trim().split('\n').filter(Boolean))] : [];
  }

  it('runs status without importing Slack, Teams, nodemailer, WebAuthn, Azure or PKCS#11 packages', async () => {
    const loaded = await packagesLoadedBy(['status', '--json']);
    // The trace sees the database driver, so an empty intersection below is not an empty trace.
    expect(loaded.filter((p) => p === '@electric-sql/pglite' || p === 'postgres')).not.toEqual([]);
    expect(loaded.filter((p) => HEAVY.includes(p))).toEqual([]);
  });

  it('still loads nodemailer for outbox deliver, which needs it', async () => {
    const trace = path.join(ws.cwd, 'trace-deliver.txt');
    const run = await ws.run(['outbox', 'deliver', '--json'], { env: { NODE_OPTIONS: `--import ${REGISTER}`, MODULE_TRACE_FILE: trace, SMTP_URL: 'smtp://127.0.0.1:9' } });
    expect(run.code).toBe(0);
    expect(readFileSync(trace, 'utf8')).toContain('nodemailer');
  });

  // A serve shares only the embedded database: on a PostgreSQL server the CLI connects to it directly.
  (testEngine === 'postgres' ? it.skip : it)('beside a running serve, answers status without loading a single package: no database driver, no PGlite', async () => {
    const serve = await spawnServe(ws);
    try {
      expect(await packagesLoadedBy(['status', '--json'])).toEqual([]);
      expect(serve.stderr()).toContain('"msg":"cli command answered over the socket","command":"status"');
      // A command serve does not answer still opens the database through its socket: the trace does see drivers.
      expect(await packagesLoadedBy(['instance', 'create', 'web', '--json'])).toContain('postgres');
    } finally {
      await serve.stop('SIGTERM');
    }
  });
});
