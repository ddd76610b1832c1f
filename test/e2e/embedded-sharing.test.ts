import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../core/engine.js';
import { cliSocketPath, socketPath } from '../../db/data-dir-layout.js';
import { openDatabase } from '../../db/open-database.js';
import { loadConfig } from '../../bot/runtime/config.js';
import { openRuntime } from '../../bot/runtime/open-runtime.js';
import { createCliWorkspace, spawnServe, type CliRun, type CliWorkspace, type ServeProcess } from '../support/e2e-cli.js';
import { testEngine } from '../support/test-database.js';

/** The `{"error":{…}}` body of a refusal under --json. */
interface ErrorJson {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** CLI runs here give up on a held data dir after 1.5 s instead of 30 s. */
const FAST_LOCK = { DUALKEY_DB_LOCK_TIMEOUT_MS: '1500' };

const embeddedOnly = testEngine === 'postgres' ? it.skip : it;

function ok<T>(r: CliRun<T>): T {
  expect(r.code, `${r.args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.json;
}

/** Tenant acme with instance crm-prod holding `value` under customers/1, through an engine on the workspace. */
async function seed(engine: Engine, value: Buffer): Promise<void> {
  const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
  const instance = await engine.createInstance(tenant.id, 'crm-prod');
  await engine.records.put({ instanceId: instance.id, tenantId: tenant.id, name: 'crm-prod' }, 'customers/1', value);
}

/**
 * The embedded (PGlite) database is single-process: the data dir is locked by its owner, other
 * processes wait (bounded) and fail with database_busy, and a running `dualkey serve` shares it over a
 * unix socket so CLI commands work beside it. A PostgreSQL server has no data dir to lock or share,
 * so on the PostgreSQL run these tests are skipped.
 */
describe('sharing the embedded data dir between processes (PGlite only: skipped on a PostgreSQL server, which has no data dir to lock or share)', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function workspace(): Promise<CliWorkspace> {
    const ws = await createCliWorkspace();
    cleanups.push(() => ws.dispose());
    return ws;
  }

  embeddedOnly('refuses a CLI command with database_busy within its lock timeout while another process holds the data dir, then runs it once released, data intact', async () => {
    const ws = await workspace();
    const value = randomBytes(512);
    const holder = await openDatabase({ dataDir: ws.dataDir, lockTimeoutMs: 5_000 });
    let held = true;
    const release = async () => {
      if (held) await holder.close();
      held = false;
    };
    cleanups.push(release);
    expect(holder.kind).toBe('pglite');
    const runtime = await openRuntime(loadConfig(ws.env), { database: holder });
    await seed(runtime.engine, value);

    const args = ['data', 'get', 'crm-prod', 'customers/1', '--json'];
    const busy = await ws.run(args, { env: FAST_LOCK });
    expect(busy.code, busy.stdout + busy.stderr).toBe(1);
    const error = (busy.json as ErrorJson).error;
    expect(error.code).toBe('database_busy');
    expect(error.details).toEqual({ pid: process.pid });
    expect(error.message).toContain(ws.dataDir);
    expect(busy.ms).toBeGreaterThanOrEqual(1_500);
    // The 1.5 s wait plus ~1.5 s of process start-up (~2.7 s measured): bounded, nowhere near the 30 s default.
    expect(busy.ms).toBeLessThan(20_000); // far below the 30 s default lock wait it replaces

    await release();
    const after = await ws.run<{ base64: string }>(args, { env: FAST_LOCK });
    expect(Buffer.from(ok(after).base64, 'base64').equals(value)).toBe(true);
  });

  embeddedOnly('runs CLI commands through the socket of a running `dualkey serve`, serves what they wrote over HTTP, and exits 0 on SIGTERM', async () => {
    const ws = await workspace();
    const seeded = randomBytes(300);
    await ws.withEngine((engine) => seed(engine, seeded));

    const serve: ServeProcess = await spawnServe(ws);
    cleanups.push(() => serve.stop('SIGKILL'));
    expect(serve.serving).toMatchObject({ database: 'pglite', sharedSocket: socketPath(ws.dataDir) });
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);

    // While serve owns the data dir, these only succeed through its socket: the lock wait is 1.5 s.
    const token = ok(await ws.run<{ token: string }>(['instance', 'token', 'crm-prod', '--json'], { env: FAST_LOCK })).token;
    const value = Buffer.concat([Buffer.from([0, 255, 10, 13]), randomBytes(1000)]);
    const put = await ws.run(['data', 'put', 'crm-prod', 'customers/2'], { stdin: value, env: FAST_LOCK });
    expect(put.code, put.stderr).toBe(0);

    const headers = { authorization: `Bearer ${token}` };
    const written = await fetch(`${serve.url}/v1/instances/crm-prod/records/customers%2F2`, { headers });
    expect(written.status).toBe(200);
    expect(Buffer.from(await written.arrayBuffer()).equals(value)).toBe(true);
    const before = await fetch(`${serve.url}/v1/instances/crm-prod/records/customers%2F1`, { headers });
    expect(Buffer.from(await before.arrayBuffer()).equals(seeded)).toBe(true);

    // And the other way: written over HTTP, read by the CLI through the socket.
    const viaHttp = randomBytes(200);
    expect((await fetch(`${serve.url}/v1/instances/crm-prod/records/customers%2F3`, { method: 'PUT', headers, body: viaHttp })).status).toBe(201);
    const got = await ws.run(['data', 'get', 'crm-prod', 'customers/3'], { env: FAST_LOCK });
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdoutBytes.equals(viaHttp)).toBe(true);
    expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);

    const stopped = await serve.stop('SIGTERM');
    expect(stopped).toMatchObject({ code: 0, signal: null });
    expect(stopped.ms).toBeLessThan(20_000);
    expect(existsSync(socketPath(ws.dataDir))).toBe(false);
    expect(existsSync(cliSocketPath(ws.dataDir))).toBe(false);
    expect(serve.stderr()).not.toMatch(/"level":"error"/);

    // The data dir is free again and everything written is there.
    const keys = await ws.withEngine(async (engine) => {
      const tenant = await engine.resolveTenant();
      const [status] = await engine.status(tenant.id, 'crm-prod');
      expect(status!.state).toBe('active');
      const instance = await engine.deps.uow.run((store) => store.instances.byName(tenant.id, 'crm-prod'));
      return engine.records.list({ instanceId: instance!.id, tenantId: tenant.id, name: 'crm-prod' }, 'customers/');
    });
    expect(keys).toEqual(['customers/1', 'customers/2', 'customers/3']);
  });
  embeddedOnly('has a running serve answer read-only commands itself over its CLI socket, and runs them in the CLI again once serve is gone', async () => {
    const ws = await workspace();
    await ws.withEngine((engine) => seed(engine, randomBytes(10)));
    const alone = ok(await ws.run(['status', '--json']));

    const serve: ServeProcess = await spawnServe(ws);
    cleanups.push(() => serve.stop('SIGKILL'));
    expect(serve.serving).toMatchObject({ cliSocket: cliSocketPath(ws.dataDir) });
    expect(statSync(cliSocketPath(ws.dataDir)).mode & 0o777).toBe(0o600);
    const answered = () => serve.stderr().split('\n').filter((l) => l.includes('"msg":"cli command answered over the socket"')).map((l) => JSON.parse(l).command as string);
    // FAST_LOCK: were these to open the data dir themselves they would fail with database_busy within 1.5 s.
    expect(ok(await ws.run(['status', '--json'], { env: FAST_LOCK }))).toEqual(alone);
    const unknown = await ws.run<ErrorJson>(['status', 'nope', '--json'], { env: FAST_LOCK });
    expect(unknown.code).toBe(1);
    expect(unknown.json.error.code).toBe('instance_not_found');
    expect(answered()).toEqual(['status', 'status']);
    // Not read-only, or not one serve answers: through the database socket, as before.
    const verified = await ws.run(['audit', 'verify'], { env: FAST_LOCK });
    expect(verified.code, verified.stderr).toBe(0);
    ok(await ws.run(['instance', 'create', 'web', '--json'], { env: FAST_LOCK }));
    expect(answered()).toEqual(['status', 'status']);

    // Killed outright, serve leaves its socket files behind: the CLI finds nobody listening and runs status itself.
    await serve.stop('SIGKILL');
    expect(existsSync(cliSocketPath(ws.dataDir))).toBe(true);
    const after = ok(await ws.run<Array<{ instance: string }>>(['status', '--json']));
    expect(after.map((s) => s.instance).sort()).toEqual(['crm-prod', 'web']);
  });
});
