import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../core/engine.js';
import type { Actor } from '../../core/model/actor.js';
import { mariadbConfigLines, mariadbTokenFile } from '../../bot/mariadb/mariadb-config.js';
import { loadConfig } from '../../bot/runtime/config.js';
import { startServer, type RunningServer } from '../../bot/start-server.js';
import { copyDir } from '../support/copy-dir.js';
import { asCli, MemoryLogger } from '../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';
import {
  errorLogMark, errorLogSince, installMariadb, mariadbAvailable, MariadbdExited, startMariadbd, writeOptionFile, type MariaInstall, type Mariadbd,
} from '../support/mariadb-server.js';
import { startHookReceiver, type HookReceiver } from '../support/hook-receiver.js';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.js';
import { TestClock } from '../support/test-clock.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const INSTANCE = 'shop-db';
const upload = () => ({ file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD });
/** Lines MariaDB's log has when something went wrong (warnings about the missing feedback plugin etc. are fine). */
const errorLines = (log: string) => log.split('\n').filter((l) => /\[ERROR\]|Assertion|signal \d+|InnoDB: .*failed/i.test(l));

/**
 * A real mariadbd whose InnoDB encryption keys come from `dualkey serve`'s KV endpoint (through a proxy
 * that records the plugin's requests), driven through a key change, rotation, lock and unlock with the
 * injected clock, and a lock with an offline hook that stops the server cleanly. One datadir, restarted as the phases need.
 */
describe.skipIf(!mariadbAvailable())('MariaDB encrypted at rest with dualkey as its key server', () => {
  let db: TestDatabase;
  let dataDir: string;
  let server: RunningServer;
  let engine: Engine;
  let proxy: RecordingProxy;
  let maria: MariaInstall;
  let mysqld: Mariadbd | null = null;
  let ann: Actor;
  let bob: Actor;
  let tenantId: string;
  let copyOfDatadir: string;
  const clock = new TestClock();
  const logger = new MemoryLogger();
  const secret = `SECRET-${randomBytes(6).toString('hex')}`;
  const control = `PLAIN-${randomBytes(6).toString('hex')}`;
  let rows = 0;
  let keyServerLines: string[] = [];
  let hook: HookReceiver | null = null;

  const sql = (statement: string) => mysqld!.sql(statement);
  async function insertRows(n: number): Promise<void> {
    const values = Array.from({ length: n }, (_, i) => `('${secret}-${rows + i}')`).join(',');
    // Counted only once committed: a write the server aborted on is not expected back.
    await sql(`START TRANSACTION; INSERT INTO dk.t_enc (v) VALUES ${values}; INSERT INTO dk.t_plain (v) VALUES ${values.replaceAll(secret, control)}; COMMIT`);
    rows += n;
  }
  async function expectAllRows(): Promise<void> {
    expect(await sql(`SELECT COUNT(*), SUM(v LIKE '${secret}-%') FROM dk.t_enc`)).toEqual([`${rows}\t${rows}`]);
  }
  const fileHas = (file: string, text: string) => readFileSync(file).includes(Buffer.from(text));

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'dualkey-e2e-maria-'));
    server = await startServer(loadConfig({ DUALKEY_DATA_DIR: dataDir, PORT: '0', DUALKEY_DEV_IMPERSONATION: 'true' }), { database: db.database, clock, logger, startScheduler: false });
    engine = server.runtime.engine;
    const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
    tenantId = tenant.id;
    const add = (email: string, name: string) => engine.addAdmin(tenant.id, { email, name, role: 'global_admin', instances: [], identities: [] });
    ann = asCli(await add('ann@example.com', 'Ann'));
    bob = asCli(await add('bob@example.com', 'Bob'));
    await engine.createInstance(tenant.id, INSTANCE);
    const token = await engine.issueToken(tenant.id, INSTANCE);
    await engine.initDbKeys(tenant.id, INSTANCE, [1, 2]);
    clock.advanceHours(1 / 60);
    proxy = await startRecordingProxy(server.url);
    maria = await installMariadb();
    // The lines `dualkey mariadb config` prints, with the plugin's caches off so a lock bites at once.
    const tokenFile = path.join(maria.dir, 'dualkey-token.cnf');
    writeFileSync(tokenFile, mariadbTokenFile(token), { mode: 0o600 });
    keyServerLines = [
      ...mariadbConfigLines({ baseUrl: proxy.url, instance: INSTANCE, tokenFile, caFile: null, cacheTimeoutMs: 0, versionCacheTimeoutMs: 0, maxRetries: 0 }).slice(1),
      // Pages keep the key version they were written with until rewritten, as with no background rotation.
      'innodb-encryption-rotate-key-age=0',
    ];
    writeOptionFile(maria, keyServerLines);
    mysqld = await startMariadbd(maria);
    await sql('CREATE DATABASE dk; CREATE TABLE dk.t_enc (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(100)) ENCRYPTED=YES; CREATE TABLE dk.t_plain (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(100)) ENCRYPTED=NO');
  }, 120_000);

  afterAll(async () => {
    await mysqld?.stop(20_000);
    await proxy?.close();
    await hook?.close();
    await server?.close();
    await db?.dispose();
    maria?.dispose();
    if (copyOfDatadir) rmSync(copyOfDatadir, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the rows of an ENCRYPTED=YES table out of its .ibd file and the redo log, while the ENCRYPTED=NO control shows them', async () => {
    await insertRows(50);
    const redo = path.join(maria.datadir, 'ib_logfile0');
    expect(fileHas(redo, secret)).toBe(false);
    expect(fileHas(redo, control)).toBe(false); // innodb_encrypt_log: the redo log is encrypted too
    await sql('FLUSH TABLES dk.t_enc, dk.t_plain FOR EXPORT; UNLOCK TABLES');
    expect(fileHas(path.join(maria.datadir, 'dk', 't_plain.ibd'), control)).toBe(true);
    expect(fileHas(path.join(maria.datadir, 'dk', 't_enc.ibd'), secret)).toBe(false);
    const enc = await sql("SELECT NAME, ENCRYPTION_SCHEME, CURRENT_KEY_VERSION FROM information_schema.INNODB_TABLESPACES_ENCRYPTION WHERE NAME LIKE 'dk/%'");
    expect(enc.sort()).toEqual(['dk/t_enc\t1\t1', 'dk/t_plain\t0\t1']);
    expect(proxy.requests.filter((r) => r.path.startsWith(`/v1/mariadb/${INSTANCE}/data/1`)).every((r) => r.status === 200)).toBe(true);
    expect(proxy.requests.map((r) => r.path)).toContain(`/v1/sys/mounts/mariadb/${INSTANCE}/tune`);
  });

  it('keeps running through a key change, its approval and a rollback: no error in its log, data readable throughout and after a restart', async () => {
    const mark = errorLogMark(maria);
    const change = await engine.changeKey(ann, INSTANCE, { kind: 'upload', upload: upload() });
    await insertRows(20);
    await expectAllRows();
    await engine.decide(bob, change.request.id, 'approve');
    await insertRows(20);
    await expectAllRows();
    const revert = await engine.changeKey(ann, INSTANCE, { kind: 'revert' });
    await insertRows(20);
    await engine.decide(bob, revert.request.id, 'rollback');
    await insertRows(20);
    await sql('FLUSH TABLES dk.t_enc FOR EXPORT; UNLOCK TABLES');
    await expectAllRows();
    expect(await mysqld!.stop()).toEqual({ code: 0, signal: null });
    mysqld = await startMariadbd(maria);
    await expectAllRows();
    expect(errorLines(errorLogSince(maria, mark))).toEqual([]);
  });

  it('db-keys rotate: new writes use version 2, and after a restart both versions are fetched and the data is intact', async () => {
    expect(await engine.rotateDbKey(tenantId, INSTANCE, 1)).toEqual({ keyId: 1, version: 2 });
    await insertRows(20);
    await sql('FLUSH TABLES dk.t_enc FOR EXPORT; UNLOCK TABLES');
    expect(await sql("SELECT MIN_KEY_VERSION, CURRENT_KEY_VERSION FROM information_schema.INNODB_TABLESPACES_ENCRYPTION WHERE NAME = 'dk/t_enc'")).toEqual(['1\t2']);
    expect(await mysqld!.stop()).toEqual({ code: 0, signal: null });
    const seen = proxy.requests.length;
    mysqld = await startMariadbd(maria);
    await expectAllRows();
    const fetched = proxy.requests.slice(seen).map((r) => `${r.path} ${r.status}`);
    expect(fetched).toContain(`/v1/mariadb/${INSTANCE}/data/1?version=1 200`);
    expect(fetched).toContain(`/v1/mariadb/${INSTANCE}/data/1?version=2 200`);
  });

  it('a lock without an offline hook: mariadbd stops at its next write and cannot restart; a datadir copied before the lock cannot start either', async () => {
    expect(await mysqld!.stop()).toEqual({ code: 0, signal: null });
    copyOfDatadir = mkdtempSync(path.join(tmpdir(), 'dk-maria-copy-'));
    copyDir(maria.datadir, copyOfDatadir);
    mysqld = await startMariadbd(maria);
    // Pages in the buffer pool: what a server that has been running a while holds. (A page that must be
    // read from disk after the lock fails to decrypt instead: the table reports itself corrupted.)
    await expectAllRows();
    await sql('SELECT COUNT(*) FROM dk.t_plain');
    clock.advanceHours(72);
    const lock = await engine.requestLock(ann, INSTANCE, { confirm: INSTANCE, upload: upload() });
    await engine.decide(bob, lock.id, 'approve');
    const mark = errorLogMark(maria);
    await insertRows(5).catch(() => undefined);
    await sql('FLUSH TABLES dk.t_enc FOR EXPORT; UNLOCK TABLES').catch(() => undefined);
    const status = await mysqld!.exitWithin(30_000);
    if (status === null) await mysqld!.stop(1_000);
    mysqld = null;
    expect(status).toEqual({ code: null, signal: 'SIGABRT' });
    const crash = errorLogSince(maria, mark);
    expect(crash).toContain('Hashicorp server error: 423');
    expect(crash).toContain('Query (');
    const noKeys = "Plugin 'hashicorp_key_management' init function returned error";
    const afterCrash = errorLogMark(maria);
    const restart = await startMariadbd(maria).catch((e: unknown) => e);
    expect(restart).toBeInstanceOf(MariadbdExited);
    expect(errorLogSince(maria, afterCrash)).toContain(noKeys);
    writeOptionFile(maria, keyServerLines, copyOfDatadir);
    const before = errorLogMark(maria);
    const copy = await startMariadbd(maria).catch((e: unknown) => e);
    expect(copy).toBeInstanceOf(MariadbdExited);
    expect(errorLogSince(maria, before)).toContain(noKeys);
    writeOptionFile(maria, keyServerLines);
    expect(proxy.requests.at(-1)!.status).toBe(423);
  });

  it('unlock with the same key file: mariadbd starts and every row is back', async () => {
    await engine.unlock(ann, INSTANCE, upload());
    const mark = errorLogMark(maria);
    mysqld = await startMariadbd(maria);
    await expectAllRows();
    expect(errorLines(errorLogSince(maria, mark))).toEqual([]);
  });

  it('a lock with an offline hook: the hook stops mariadbd cleanly during the drain and answers 2xx; called once, no assertion, then locked and a restart fails for want of keys', async () => {
    hook = await startHookReceiver();
    const set = await engine.setOfflineHook(ann, INSTANCE, hook.url);
    hook.secret = set.secret;
    let stopped: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    // The receiver an operator runs next to the database: a clean shutdown (SIGTERM by pid), then 2xx.
    hook.respond = async () => {
      stopped = await mysqld!.stop(30_000);
      return 200;
    };
    clock.advanceHours(72);
    const lock = await engine.requestLock(ann, INSTANCE, { confirm: INSTANCE, upload: upload() });
    await engine.decide(bob, lock.id, 'approve');
    expect((await engine.status(tenantId, INSTANCE))[0]!.state).toBe('locking');
    const mark = errorLogMark(maria);
    // The drain: the key server still answers, so the running server keeps working until the hook stops it.
    await insertRows(5);
    await sql('FLUSH TABLES dk.t_enc FOR EXPORT; UNLOCK TABLES');
    await server.scheduler.deliver();
    mysqld = null;
    expect(hook.calls.map((c) => [c.json.event, c.json.instance, c.json.requestId, c.signatureValid, c.status])).toEqual([['instance.locking', INSTANCE, lock.id, true, 200]]);
    expect(stopped).toEqual({ code: 0, signal: null });
    const shutdown = errorLogSince(maria, mark);
    expect(errorLines(shutdown)).toEqual([]);
    expect(shutdown).not.toMatch(/Assertion|signal \d+|423/);
    expect(shutdown).toContain('Shutdown complete');
    expect((await engine.status(tenantId, INSTANCE))[0]!.state).toBe('locked');
    const afterStop = errorLogMark(maria);
    const restart = await startMariadbd(maria).catch((e: unknown) => e);
    expect(restart).toBeInstanceOf(MariadbdExited);
    expect(errorLogSince(maria, afterStop)).toContain("Plugin 'hashicorp_key_management' init function returned error");
    expect(proxy.requests.at(-1)!.status).toBe(423);
    await server.scheduler.deliver();
    expect(hook.calls).toHaveLength(1);
    expect(logger.lines.join('\n')).not.toContain(set.secret!);
  });
});
