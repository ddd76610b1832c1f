import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliWorkspace, PROJECT_ROOT, type CliWorkspace } from '../support/e2e-cli.js';

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

  async function packagesLoadedBy(args: string[]): Promise<string[]> {
    const trace = path.join(ws.cwd, `trace-${args.join('-')}.txt`);
    const run = await ws.run(args, { env: { NODE_OPTIONS: `--import ${REGISTER}`, MODULE_TRACE_FILE: trace } });
    expect(run.code).toBe(0);
    return [...new Set(readFileSync(trace, 'utf8').trim().split('\n'))];
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
});
