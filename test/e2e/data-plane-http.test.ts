import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../core/engine.js';
import { loadConfig } from '../../bot/runtime/config.js';
import { startServer, type RunningServer } from '../../bot/start-server.js';
import { asCli, MemoryLogger } from '../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';
import { TestClock } from '../support/test-clock.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const MiB = 1024 * 1024;

/** The JSON error body every refusal has. */
interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * The whole server (startServer: routes, HTTP error mapping, metrics, engine, real local vault) on a
 * private test database, over real HTTP on an ephemeral port. Rule time comes from an injected clock.
 */
describe('data-plane HTTP API', () => {
  let db: TestDatabase;
  let dataDir: string;
  let server: RunningServer;
  let engine: Engine;
  const clock = new TestClock();
  const logger = new MemoryLogger();
  let tenantId: string;
  let ann: ReturnType<typeof asCli>;
  let bob: ReturnType<typeof asCli>;
  /** Bearer tokens per instance, issued as `dualkey instance token` issues them. */
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'dualkey-e2e-http-'));
    const config = loadConfig({ DUALKEY_DATA_DIR: dataDir, PORT: '0', DUALKEY_DEV_IMPERSONATION: 'true' });
    server = await startServer(config, { database: db.database, clock, logger });
    engine = server.runtime.engine;
    const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
    tenantId = tenant.id;
    const add = (email: string, name: string) => engine.addAdmin(tenant.id, { email, name, role: 'global_admin', instances: [], identities: [] });
    ann = asCli(await add('ann@example.com', 'Ann'));
    bob = asCli(await add('bob@example.com', 'Bob'));
    for (const name of ['crm-prod', 'hr-prod', 'vault-prod']) {
      await engine.createInstance(tenant.id, name);
      tokens[name] = await engine.issueToken(tenant.id, name);
    }
    clock.advanceHours(1 / 60);
  });

  afterAll(async () => {
    await server?.close();
    await db?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const url = (p: string) => `${server.url}${p}`;
  const recordUrl = (instance: string, key: string) => url(`/v1/instances/${instance}/records/${key}`);
  const auth = (instance: string) => ({ authorization: `Bearer ${tokens[instance]}` });
  const put = (instance: string, key: string, body: Buffer | string, headers: Record<string, string> = {}) =>
    fetch(recordUrl(instance, key), { method: 'PUT', headers: { ...auth(instance), 'content-type': 'application/octet-stream', ...headers }, body });
  const get = (instance: string, key: string) => fetch(recordUrl(instance, key), { headers: auth(instance) });
  const del = (instance: string, key: string) => fetch(recordUrl(instance, key), { method: 'DELETE', headers: auth(instance) });
  const list = (instance: string, prefix?: string) =>
    fetch(url(`/v1/instances/${instance}/records${prefix === undefined ? '' : `?prefix=${encodeURIComponent(prefix)}`}`), { headers: auth(instance) });
  const bytes = async (res: Response) => Buffer.from(await res.arrayBuffer());
  const errorCode = async (res: Response) => ((await res.json()) as ErrorBody).error.code;

  describe('health and operations endpoints', () => {
    it('answers /healthz with 200', async () => {
      const res = await fetch(url('/healthz'));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    });

    it('answers /readyz with 200 when the database and the vault are reachable', async () => {
      const res = await fetch(url('/readyz'));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ready', database: true, vault: true, keyAccess: { checked: expect.any(Number) as unknown, inaccessible: 0 } });
    });

    it('exposes request counters by route and status on /metrics in the Prometheus text format', async () => {
      await fetch(url('/healthz'));
      await fetch(url('/no/such/path'));
      const res = await fetch(url('/metrics'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(text).toContain('# TYPE dualkey_http_requests_total counter');
      expect(text).toMatch(/^dualkey_http_requests_total\{route="[^"]*healthz[^"]*",status="200"\} [1-9]\d*$/m);
      expect(text).toMatch(/^dualkey_http_requests_total\{route="unmatched",status="404"\} [1-9]\d*$/m);
    });

    it('answers an unknown path with 404 not_found', async () => {
      const res = await fetch(url('/v2/whatever'));
      expect(res.status).toBe(404);
      expect(await errorCode(res)).toBe('not_found');
    });

    it('answers a known path with the wrong method with 405 and an Allow header', async () => {
      const health = await fetch(url('/healthz'), { method: 'POST' });
      expect(health.status).toBe(405);
      expect(health.headers.get('allow')).toBe('GET');
      expect(await errorCode(health)).toBe('method_not_allowed');
      const record = await fetch(recordUrl('crm-prod', 'k'), { method: 'POST', headers: auth('crm-prod'), body: 'x' });
      expect(record.status).toBe(405);
      expect(record.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'GET', 'PUT']);
    });
  });

  describe('bearer tokens', () => {
    it('refuses a request without a token with 401 token_invalid and a Bearer challenge', async () => {
      const res = await fetch(recordUrl('crm-prod', 'k'));
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await errorCode(res)).toBe('token_invalid');
    });

    it.each([
      ['an unknown token', 'Bearer dkt_not-a-real-token'],
      ['a token without the dkt_ prefix', 'Bearer abcdef'],
      ['another scheme', 'Basic YW5uOnB3'],
    ])('refuses %s with 401 token_invalid', async (_what, authorization) => {
      const res = await fetch(recordUrl('crm-prod', 'k'), { headers: { authorization } });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await errorCode(res)).toBe('token_invalid');
    });

    it('refuses the token of another instance with 403 token_instance_mismatch, on reads, writes and lists', async () => {
      const headers = auth('hr-prod');
      const reads = await fetch(recordUrl('crm-prod', 'k'), { headers });
      const writes = await fetch(recordUrl('crm-prod', 'k'), { method: 'PUT', headers, body: 'x' });
      const lists = await fetch(url('/v1/instances/crm-prod/records'), { headers });
      for (const res of [reads, writes, lists]) {
        expect(res.status).toBe(403);
        expect(await errorCode(res)).toBe('token_instance_mismatch');
      }
      expect((await list('crm-prod')).status).toBe(200);
    });

    it('never echoes the token in an error body or the server log', async () => {
      const secret = `dkt_${randomBytes(16).toString('base64url')}`;
      const res = await fetch(recordUrl('crm-prod', 'k'), { headers: { authorization: `Bearer ${secret}` } });
      expect(await res.text()).not.toContain(secret);
      const mismatch = await fetch(recordUrl('crm-prod', 'k'), { headers: auth('hr-prod') });
      expect(await mismatch.text()).not.toContain(tokens['hr-prod']);
      expect(logger.lines.join('\n')).not.toContain(secret);
    });
  });

  describe('records', () => {
    it('creates with 201, replaces with 200, and reads back the exact bytes', async () => {
      const first = await put('crm-prod', 'greeting', 'hello');
      expect(first.status).toBe(201);
      expect(await first.json()).toEqual({ instance: 'crm-prod', key: 'greeting', bytes: 5 });
      const second = await put('crm-prod', 'greeting', 'hello again');
      expect(second.status).toBe(200);
      const res = await get('crm-prod', 'greeting');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toBe('hello again');
    });

    it('round-trips binary values byte for byte: every byte value, NULs, invalid UTF-8', async () => {
      const value = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from([0xff, 0xfe, 0x00, 0x00, 0xc3, 0x28]), randomBytes(4096)]);
      expect((await put('crm-prod', 'blob', value)).status).toBe(201);
      const res = await get('crm-prod', 'blob');
      expect(Number(res.headers.get('content-length'))).toBe(value.length);
      expect((await bytes(res)).equals(value)).toBe(true);
    });

    it('stores an empty value', async () => {
      expect((await put('crm-prod', 'empty', Buffer.alloc(0))).status).toBe(201);
      const res = await get('crm-prod', 'empty');
      expect(res.status).toBe(200);
      expect((await bytes(res)).length).toBe(0);
    });

    it('lists the keys under a prefix, sorted, without the others', async () => {
      for (const key of ['orders/2', 'customers/c', 'customers/a', 'orders/1', 'customers/b', 'customersX']) {
        expect((await put('hr-prod', key, key)).ok).toBe(true);
      }
      const res = await list('hr-prod', 'customers/');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ instance: 'hr-prod', keys: ['customers/a', 'customers/b', 'customers/c'] });
      expect(((await (await list('hr-prod')).json()) as { keys: string[] }).keys).toEqual(['customers/a', 'customers/b', 'customers/c', 'customersX', 'orders/1', 'orders/2']);
      // The trailing-slash form of the collection is the same route.
      const slash = await fetch(url('/v1/instances/hr-prod/records/?prefix=orders/'), { headers: auth('hr-prod') });
      expect(await slash.json()).toEqual({ instance: 'hr-prod', keys: ['orders/1', 'orders/2'] });
    });

    it('treats the prefix literally: SQL wildcards match nothing extra', async () => {
      for (const key of ['a_b', 'axb', 'a%c', 'abc']) expect((await put('hr-prod', encodeURIComponent(key), key)).status).toBe(201);
      expect(((await (await list('hr-prod', 'a_')).json()) as { keys: string[] }).keys).toEqual(['a_b']);
      expect(((await (await list('hr-prod', 'a%')).json()) as { keys: string[] }).keys).toEqual(['a%c']);
      expect(((await (await list('hr-prod', '%')).json()) as { keys: string[] }).keys).toEqual([]);
    });

    it('deletes with 204, then answers 404 record_not_found for the read and a second delete', async () => {
      await put('crm-prod', 'to-delete', 'x');
      const first = await del('crm-prod', 'to-delete');
      expect(first.status).toBe(204);
      expect(await first.text()).toBe('');
      const read = await get('crm-prod', 'to-delete');
      expect(read.status).toBe(404);
      expect(await errorCode(read)).toBe('record_not_found');
      const again = await del('crm-prod', 'to-delete');
      expect(again.status).toBe(404);
      expect(await errorCode(again)).toBe('record_not_found');
    });

    it('answers 404 record_not_found for a key never written', async () => {
      const res = await get('crm-prod', 'never-written');
      expect(res.status).toBe(404);
      expect(await errorCode(res)).toBe('record_not_found');
    });

    it('keeps keys with slashes as one key, the same whether the slash is literal or %2F-encoded', async () => {
      expect((await put('crm-prod', 'customers/eu/42', 'literal')).status).toBe(201);
      const encoded = await fetch(recordUrl('crm-prod', 'customers%2Feu%2F42'), { headers: auth('crm-prod') });
      expect(await encoded.text()).toBe('literal');
      expect(((await (await list('crm-prod', 'customers/eu/')).json()) as { keys: string[] }).keys).toEqual(['customers/eu/42']);
    });

    it('round-trips keys with percent-encoded characters (space, ?, #, %, +, unicode)', async () => {
      const keys = ['with space', 'q?x=1', 'hash#frag', '100%', 'a+b', 'naïve/日本語', 'emoji 🔑'];
      for (const [i, key] of keys.entries()) {
        const res = await put('vault-prod', encodeURIComponent(key), `value ${i}`);
        expect(res.status, key).toBe(201);
        expect(((await res.json()) as { key: string }).key).toBe(key);
      }
      for (const [i, key] of keys.entries()) expect(await (await get('vault-prod', encodeURIComponent(key))).text(), key).toBe(`value ${i}`);
      const listed = ((await (await list('vault-prod')).json()) as { keys: string[] }).keys;
      expect([...listed].sort()).toEqual([...keys].sort());
      for (const key of keys) expect((await del('vault-prod', encodeURIComponent(key))).status, key).toBe(204);
    });

    it('refuses an invalid percent-encoding with 400 invalid_input', async () => {
      const res = await fetch(recordUrl('crm-prod', 'bad%zzkey'), { headers: auth('crm-prod') });
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe('invalid_input');
    });
  });

  describe('the 1 MiB record cap', () => {
    it('accepts a value of exactly 1 MiB and returns it intact', async () => {
      const value = randomBytes(MiB);
      const res = await put('crm-prod', 'one-mib', value);
      expect(res.status).toBe(201);
      expect(((await res.json()) as { bytes: number }).bytes).toBe(MiB);
      expect((await bytes(await get('crm-prod', 'one-mib'))).equals(value)).toBe(true);
    });

    it('refuses 1 MiB + 1 byte announced by Content-Length with 413 record_too_large, storing nothing', async () => {
      const res = await put('crm-prod', 'too-big', randomBytes(MiB + 1));
      expect(res.status).toBe(413);
      expect(await errorCode(res)).toBe('record_too_large');
      expect((await get('crm-prod', 'too-big')).status).toBe(404);
    });

    it('refuses 1 MiB + 1 byte sent with chunked transfer encoding with 413 record_too_large, storing nothing', async () => {
      const res = await chunkedPut(recordUrl('crm-prod', 'too-big-chunked'), tokens['crm-prod']!, [randomBytes(MiB), randomBytes(1)]);
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body.toString()) as ErrorBody).toMatchObject({ error: { code: 'record_too_large' } });
      expect((await get('crm-prod', 'too-big-chunked')).status).toBe(404);
      // The server is still healthy afterwards.
      expect((await fetch(url('/healthz'))).status).toBe(200);
    });

    it('accepts exactly 1 MiB sent with chunked transfer encoding', async () => {
      const value = randomBytes(MiB);
      const res = await chunkedPut(recordUrl('crm-prod', 'one-mib-chunked'), tokens['crm-prod']!, [value.subarray(0, 300_000), value.subarray(300_000)]);
      expect(res.status).toBe(201);
      expect((await bytes(await get('crm-prod', 'one-mib-chunked'))).equals(value)).toBe(true);
    });
  });

  describe('lock and unlock', () => {
    const instance = 'vault-prod';
    const upload = () => ({ file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD });

    /** Every data-plane call, each with the status and body it answered. */
    const everyCall = async () => {
      const calls = [
        await get(instance, 'customer/1'),
        await get(instance, 'never-written'),
        await put(instance, 'customer/1', 'overwrite'),
        await put(instance, 'customer/new', 'new'),
        await del(instance, 'customer/1'),
        await list(instance),
        await list(instance, 'customer/'),
      ];
      return Promise.all(calls.map(async (res) => ({ status: res.status, body: (await res.json()) as ErrorBody })));
    };

    it('serves data while a lock awaits approval, answers 423 instance_locked to every call once the lock commits, and serves the same bytes after unlock', async () => {
      const value = Buffer.concat([Buffer.from('Ada Lovelace\u0000'), randomBytes(64)]);
      expect((await put(instance, 'customer/1', value)).status).toBe(201);

      const change = await engine.changeKey(ann, instance, { kind: 'upload', upload: upload() });
      await engine.decide(bob, change.request.id, 'approve');
      // Data keeps flowing across the key change (DEKs re-wrapped, records untouched).
      expect((await bytes(await get(instance, 'customer/1'))).equals(value)).toBe(true);

      clock.advanceHours(72);
      const lock = await engine.requestLock(ann, instance, { confirm: instance, upload: upload() });
      expect(lock).toMatchObject({ type: 'lock', state: 'pending' });
      // A pending lock changes nothing yet.
      expect((await bytes(await get(instance, 'customer/1'))).equals(value)).toBe(true);
      expect((await put(instance, 'customer/pending', 'still writable')).status).toBe(201);
      expect((await del(instance, 'customer/pending')).status).toBe(204);
      expect(((await (await list(instance, 'customer/')).json()) as { keys: string[] }).keys).toEqual(['customer/1']);

      await engine.decide(bob, lock.id, 'approve');
      const [status] = await engine.status(tenantId, instance);
      expect(status!.state).toBe('locked');
      // The DEK was cached by the reads above: the lock must still win on the very next call.
      for (const call of await everyCall()) {
        expect(call.status).toBe(423);
        expect(call.body.error.code).toBe('instance_locked');
      }
      // Other instances are not affected.
      expect(await (await get('crm-prod', 'greeting')).text()).toBe('hello again');

      await engine.unlock(ann, instance, upload());
      const res = await get(instance, 'customer/1');
      expect(res.status).toBe(200);
      expect((await bytes(res)).equals(value)).toBe(true);
      expect((await put(instance, 'customer/2', 'after unlock')).status).toBe(201);
      expect(((await (await list(instance, 'customer/')).json()) as { keys: string[] }).keys).toEqual(['customer/1', 'customer/2']);
    });
  });
});

/** PUT with `Transfer-Encoding: chunked` (no Content-Length), through node:http so the chunks are explicit. */
function chunkedPut(target: string, token: string, chunks: Buffer[]): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(target, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' } }, (res) => {
      const body: Buffer[] = [];
      res.on('data', (d: Buffer) => body.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(body) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    void (async () => {
      for (const chunk of chunks) {
        if (req.destroyed) return;
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })();
  });
}
