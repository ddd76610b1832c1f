import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serveCliOverSocket, type CliSocket } from '../../../bot/cli/cli-socket-server.js';
import type { CliIo } from '../../../bot/cli/cli-io.js';
import { forwardToServe } from '../../../bot/cli/forward-to-serve.js';
import { runCli } from '../../../bot/cli/run-cli.js';
import { loadConfig } from '../../../bot/runtime/config.js';
import { cliSocketPath } from '../../../db/data-dir-layout.js';
import { createHarness, seedTenant, type Harness } from '../../support/engine-harness.js';

/** Sends one raw line (or bytes) to the socket and returns everything it answers before closing. */
function raw(socketFile: string, data: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(socketFile, () => socket.write(data));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (received += d));
    socket.on('error', () => {});
    socket.on('close', () => resolve(received));
  });
}

describe('the CLI socket of a running serve', () => {
  let h: Harness;
  let dataDir: string;
  let cli: CliSocket;
  const env = () => ({ DUALKEY_DATA_DIR: dataDir });

  beforeEach(async () => {
    h = await createHarness();
    await seedTenant(h);
    dataDir = mkdtempSync(path.join(tmpdir(), 'dualkey-cli-socket-'));
    cli = await serveCliOverSocket({ dataDir, engine: h.engine, config: loadConfig(env()), logger: h.logger });
  });
  afterEach(async () => {
    await cli.close();
    await h.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The same command line run in this process on the same engine, as the CLI runs it without a serve. */
  async function runHere(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io: CliIo = { stdout: (d) => void (stdout += d.toString()), stderr: (t) => void (stderr += t), readStdin: async () => Buffer.alloc(0), promptSecret: async () => null, cwd: dataDir };
    const code = await runCli(argv, io, { env: env(), openEngine: async () => ({ engine: h.engine, close: async () => {} }), serve: async () => {} });
    return { code, stdout, stderr };
  }

  it('answers status, requests, admins and audit with exactly what the CLI prints for them in its own process, and logs each', async () => {
    expect(statSync(cli.path).mode & 0o777).toBe(0o600);
    expect(cli.path).toBe(cliSocketPath(dataDir));
    for (const argv of [['status'], ['status', 'crm-prod', '--json'], ['requests', '--all', '--json'], ['admins'], ['audit', '--limit', '3', '--json']]) {
      const forwarded = await forwardToServe(argv, env());
      expect(forwarded, argv.join(' ')).not.toBeNull();
      const here = await runHere(argv);
      expect(here.code, here.stderr).toBe(0);
      expect({ code: forwarded!.code, stdout: forwarded!.stdout.toString(), stderr: forwarded!.stderr }, argv.join(' ')).toEqual(here);
    }
    expect(JSON.parse(h.logger.lines.filter((l) => l.includes('answered over the socket')).at(-1)!)).toMatchObject({ level: 'info', command: 'audit', exitCode: 0 });
  });

  it('passes a refusal back with its exit status and error code (status of an unknown instance: 1, instance_not_found)', async () => {
    const forwarded = await forwardToServe(['status', 'nope', '--json'], env());
    expect(forwarded?.code).toBe(1);
    expect(JSON.parse(forwarded!.stdout.toString())).toMatchObject({ error: { code: 'instance_not_found' } });
    const usage = await forwardToServe(['status', 'a', 'b'], env());
    expect(usage?.code).toBe(2);
    expect(usage?.stderr).toMatch(/expected 0 to 1 argument/);
  });

  it('declines commands that change state, act as an admin or verify against a file, and runs none of them', async () => {
    const before = await h.engine.status((await h.engine.resolveTenant()).id);
    for (const argv of [['instance', 'create', 'web'], ['audit', 'verify'], ['status', '--as', 'ann@example.com'], ['requests', '--token-file', '/etc/passwd'], ['status', '--help'], ['serve']]) {
      expect(await raw(cli.path, `${JSON.stringify({ argv })}\n`), argv.join(' ')).toBe('{"forwarded":false}\n');
    }
    expect(await forwardToServe(['instance', 'create', 'web'], env())).toBeNull();
    expect(await h.engine.status((await h.engine.resolveTenant()).id)).toEqual(before);
    expect(h.logger.lines.filter((l) => l.includes('answered over the socket'))).toEqual([]);
  });

  it('hangs up without an answer on a request that is not one JSON command line, or is too long', async () => {
    expect(await raw(cli.path, 'status\n')).toBe('');
    expect(await raw(cli.path, '{"argv":"status"}\n')).toBe('');
    expect(await raw(cli.path, `${JSON.stringify({ argv: [1, 2] })}\n`)).toBe('');
    expect(await raw(cli.path, `{"argv":["${'x'.repeat(70 * 1024)}`)).toBe('');
  });

  it('lets the CLI run the command itself once serve is gone, or when the configuration names a PostgreSQL server', async () => {
    expect(await forwardToServe(['status'], { ...env(), DATABASE_URL: 'postgres://root@127.0.0.1:5432/test' })).toBeNull();
    expect(await forwardToServe(['status'], { ...env(), PORT: 'not-a-port' })).toBeNull();
    await cli.close();
    expect(existsSync(cliSocketPath(dataDir))).toBe(false);
    expect(await forwardToServe(['status'], env())).toBeNull();
  });

  it('gives up on a serve that accepts the command and never answers, after the database lock timeout, so the CLI runs it itself', async () => {
    await cli.close();
    // Something listening on cli.sock that reads the request and stays silent, as a wedged serve would.
    const silent = createServer((socket) => socket.on('data', () => {}));
    await new Promise<void>((resolve) => silent.listen(cliSocketPath(dataDir), resolve));
    try {
      const started = performance.now();
      expect(await forwardToServe(['status'], { ...env(), DUALKEY_DB_LOCK_TIMEOUT_MS: '300' })).toBeNull();
      expect(performance.now() - started).toBeGreaterThanOrEqual(250);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
