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

interface KvBody {
  data: { data: { data: string }; metadata: { version: unknown } };
}

/** The Vault-KV-v2 subset MariaDB's hashicorp_key_management plugin reads, over real HTTP from `dualkey serve`. */
describe('KV v2 key endpoint', () => {
  let db: TestDatabase;
  let dataDir: string;
  let server: RunningServer;
  let engine: Engine;
  const clock = new TestClock();
  const logger = new MemoryLogger();
  let tenantId: string;
  let token: string;
  let other: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'dualkey-e2e-kv-'));
    server = await startServer(loadConfig({ DUALKEY_DATA_DIR: dataDir, PORT: '0', DUALKEY_DEV_IMPERSONATION: 'true' }), { database: db.database, clock, logger, startScheduler: false });
    engine = server.runtime.engine;
    tenantId = (await engine.createTenant('acme', { selfManagedKeys: true })).id;
    for (const name of ['shop-db', 'hr-db']) await engine.createInstance(tenantId, name);
    token = await engine.issueToken(tenantId, 'shop-db');
    other = await engine.issueToken(tenantId, 'hr-db');
    await engine.initDbKeys(tenantId, 'shop-db', [1, 2]);
  });
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const get = (p: string, t: string | null = token) => fetch(`${server.url}${p}`, { headers: t === null ? {} : { 'x-vault-token': t } });
  const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  it('answers the mount tune with KV version 2 and a key as hex with its version as a JSON number', async () => {
    const tune = await get('/v1/sys/mounts/mariadb/shop-db/tune');
    expect(tune.status).toBe(200);
    expect(((await tune.json()) as { options: unknown }).options).toEqual({ version: '2' });
    const res = await get('/v1/mariadb/shop-db/data/1');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as KvBody;
    expect(body.data.data.data).toMatch(/^[0-9a-f]{64}$/);
    expect(body.data.metadata.version).toBe(1);
    const exact = (await (await get('/v1/mariadb/shop-db/data/1?version=1')).json()) as KvBody;
    expect(exact.data.data.data).toBe(body.data.data.data);
    expect(JSON.stringify(logger.lines)).not.toContain(body.data.data.data);
  });

  it('refuses bad tokens with 403, unknown keys with 404 and malformed ids with 400', async () => {
    expect((await get('/v1/mariadb/shop-db/data/1', null)).status).toBe(403);
    const bad = await get('/v1/mariadb/shop-db/data/1', 'dkt_not-a-token');
    expect([bad.status, await code(bad)]).toEqual([403, 'token_invalid']);
    const mismatch = await get('/v1/mariadb/shop-db/data/1', other);
    expect([mismatch.status, await code(mismatch)]).toEqual([403, 'token_instance_mismatch']);
    expect((await get('/v1/sys/mounts/mariadb/shop-db/tune', other)).status).toBe(403);
    const missing = await get('/v1/mariadb/shop-db/data/3');
    expect([missing.status, await missing.json()]).toMatchObject([404, { errors: [] }]);
    expect((await get('/v1/mariadb/shop-db/data/1?version=9')).status).toBe(404);
    const malformed = await get('/v1/mariadb/shop-db/data/one');
    expect([malformed.status, await code(malformed)]).toEqual([400, 'invalid_input']);
    expect((await get('/v1/mariadb/shop-db/data/1?version=-1')).status).toBe(400);
  });

  it('answers 423 while the instance is locked, for keys and the mount alike, and serves again after unlock', async () => {
    const ann = asCli(await engine.addAdmin(tenantId, { email: 'ann@example.com', name: 'Ann', role: 'global_admin', instances: [], identities: [] }));
    const bob = asCli(await engine.addAdmin(tenantId, { email: 'bob@example.com', name: 'Bob', role: 'global_admin', instances: [], identities: [] }));
    clock.advanceHours(1 / 60);
    const before = ((await (await get('/v1/mariadb/shop-db/data/2')).json()) as KvBody).data.data.data;
    const upload = () => ({ file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD });
    const change = await engine.changeKey(ann, 'shop-db', { kind: 'upload', upload: upload() });
    await engine.decide(bob, change.request.id, 'approve');
    clock.advanceHours(72);
    const lock = await engine.requestLock(ann, 'shop-db', { confirm: 'shop-db', upload: upload() });
    await engine.decide(bob, lock.id, 'approve');
    const locked = await get('/v1/mariadb/shop-db/data/2');
    expect([locked.status, await code(locked)]).toEqual([423, 'instance_locked']);
    expect((await get('/v1/sys/mounts/mariadb/shop-db/tune')).status).toBe(423);
    await engine.unlock(bob, 'shop-db', upload());
    expect(((await (await get('/v1/mariadb/shop-db/data/2')).json()) as KvBody).data.data.data).toBe(before);
  });
});
