import { constants, createPrivateKey, privateDecrypt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../bot/cli/run-cli.js';
import type { CliIo } from '../../bot/cli/cli-io.js';
import { loadConfig } from '../../bot/runtime/config.js';
import { openRuntime } from '../../bot/runtime/open-runtime.js';
import { startServer, type RunningServer } from '../../bot/start-server.js';
import { MemoryLogger } from '../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';
import { TestClock } from '../support/test-clock.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Every row of every table, as raw values (bytea as Buffers). */
async function dumpAllTables(db: TestDatabase): Promise<Array<{ table: string; row: Record<string, unknown> }>> {
  return db.database.transaction(async (tx) => {
    const rowsOf = (r: unknown) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Array<Record<string, unknown>>;
    const tables = rowsOf(await tx.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`)).map((r) => String(r.table_name));
    expect(tables).toEqual(expect.arrayContaining(['records', 'keyring', 'vault_keys', 'audit_entries', 'outbox', 'protectors', 'operation_journal']));
    const out: Array<{ table: string; row: Record<string, unknown> }> = [];
    for (const table of tables) for (const row of rowsOf(await tx.execute(sql.raw(`select * from "${table}"`)))) out.push({ table, row });
    return out;
  });
}

/** Where a secret appears: raw bytes in any column, or its hex/base64/base64url text anywhere. */
function findSecret(haystack: { table: string; row: Record<string, unknown> }[], texts: string[], secret: Buffer, name: string): string[] {
  const forms = [secret.toString('hex'), secret.toString('base64'), secret.toString('base64url')];
  const hits: string[] = [];
  for (const { table, row } of haystack) {
    for (const [col, value] of Object.entries(row)) {
      const bytes = value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value) ?? '');
      if (bytes.includes(secret) || forms.some((f) => bytes.includes(Buffer.from(f)))) hits.push(`${name} in ${table}.${col}`);
    }
  }
  texts.forEach((t, i) => {
    if (forms.some((f) => t.includes(f)) || t.includes(secret.toString('latin1'))) hits.push(`${name} in log/output #${i}`);
  });
  return hits;
}

describe('a full lifecycle leaves no secret behind', () => {
  let db: TestDatabase;
  let server: RunningServer;
  const clock = new TestClock();
  const logger = new MemoryLogger();
  const output: string[] = [];
  const work = mkdtempSync(path.join(tmpdir(), 'dualkey-leak-'));
  // The operator drives both admins with --as here: local-development impersonation, explicitly on.
  const config = loadConfig({ DUALKEY_DATA_DIR: work, PORT: '0', DUALKEY_DEV_IMPERSONATION: 'true' });
  const io: CliIo = {
    stdout: (d) => void output.push(d.toString()),
    stderr: (d) => void output.push(d),
    readStdin: async () => Buffer.alloc(0),
    promptSecret: async () => null,
    cwd: work,
  };
  const cli = async (...argv: string[]) => {
    const code = await runCli([...argv, '--json'], io, {
      env: { DUALKEY_DATA_DIR: work, DUALKEY_DEV_IMPERSONATION: 'true' },
      openEngine: (c) => openRuntime(c, { database: db.database, clock, logger }),
      serve: async () => undefined,
    });
    const last = output[output.length - 1] ?? '';
    return { code, json: JSON.parse(last) };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startServer(config, { database: db.database, clock, logger });
    writeFileSync(path.join(work, 'pw'), `${FIXTURE_PASSWORD}\n`);
    writeFileSync(path.join(work, 'key.pfx'), fixture('rsa-2048.pfx'));
  });
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('runs tenant → instance → records → upload → approve → lock 72 h later → unlock with records intact, then finds no password, private key or DEK anywhere', async () => {
    expect((await cli('tenant', 'create', 'acme')).code).toBe(0);
    expect((await cli('admin', 'add', 'ann@example.com', '--name', 'Ann', '--role', 'global_admin')).code).toBe(0);
    expect((await cli('admin', 'add', 'bob@example.com', '--name', 'Bob', '--role', 'global_admin')).code).toBe(0);
    expect((await cli('instance', 'create', 'crm-prod')).code).toBe(0);
    const token = (await cli('instance', 'token', 'crm-prod')).json.token as string;
    const records: Record<string, string> = { 'customer/1': 'Ada Lovelace', 'customer/2': 'Grace Hopper', 'order/77': 'three pallets' };
    const url = (k: string) => `${server.url}/v1/instances/crm-prod/records/${encodeURIComponent(k)}`;
    const auth = { authorization: `Bearer ${token}` };
    for (const [k, v] of Object.entries(records)) expect((await fetch(url(k), { method: 'PUT', headers: auth, body: v })).status).toBe(201);
    clock.advanceHours(1);

    const upload = await cli('key', 'upload', 'crm-prod', '--as', 'ann@example.com', '--file', 'key.pfx', '--password-file', 'pw');
    expect(upload.code).toBe(0);
    expect((await cli('approve', upload.json.request, '--as', 'bob@example.com')).code).toBe(0);

    // The DEK, recovered independently with the fixture private key from the wrapped copy dualkey stores.
    const privateKey = createPrivateKey(fixture('rsa-2048.key.pem'));
    const wrapped = await db.uow.run(async (store) => {
      const i = await store.instances.byName((await store.tenants.byName('acme'))!.id, 'crm-prod');
      return store.keyring.listByProtector(i!.id, i!.protectorId);
    });
    const dek = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, wrapped[0]!.wrapped);
    expect(dek).toHaveLength(32);

    clock.advanceHours(71);
    expect((await cli('lock', 'crm-prod', '--as', 'ann@example.com', '--confirm', 'crm-prod', '--file', 'key.pfx', '--password-file', 'pw')).json.error.code).toBe('lock_cooldown');
    clock.advanceHours(1);
    const lock = await cli('lock', 'crm-prod', '--as', 'ann@example.com', '--confirm', 'crm-prod', '--file', 'key.pfx', '--password-file', 'pw');
    expect(lock.code).toBe(0);
    expect((await cli('approve', lock.json.request, '--as', 'bob@example.com')).code).toBe(0);
    expect((await cli('status', 'crm-prod')).json.state).toBe('locked');
    const refused = await fetch(url('customer/1'), { headers: auth });
    expect(refused.status).toBe(423);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('instance_locked');

    expect((await cli('unlock', 'crm-prod', '--as', 'bob@example.com', '--file', 'key.pfx', '--password-file', 'pw')).code).toBe(0);
    for (const [k, v] of Object.entries(records)) {
      const res = await fetch(url(k), { headers: auth });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(v);
    }
    expect((await cli('audit', 'verify')).code).toBe(0);

    const dump = await dumpAllTables(db);
    expect(dump.length).toBeGreaterThan(20);
    const texts = [...logger.lines, ...output];
    const pem = fixture('rsa-2048.key.pem').toString();
    const pemBody = pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
    const hits = [
      ...findSecret(dump, texts, Buffer.from(FIXTURE_PASSWORD), 'password'),
      ...findSecret(dump, texts, fixture('rsa-2048.key.der'), 'private key DER'),
      ...findSecret(dump, texts, Buffer.from(pemBody), 'private key PEM'),
      ...findSecret(dump, texts, dek, 'DEK'),
    ];
    expect(hits).toEqual([]);
    // The search itself can fail: the public key is stored, so searching for it must find it.
    expect(findSecret(dump, [], fixture('rsa-2048.pub.der'), 'public key').length).toBeGreaterThan(0);
  });
});
