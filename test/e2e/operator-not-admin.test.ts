import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../core/engine.js';
import type { Actor } from '../../core/model/actor.js';
import type { Admin } from '../../core/model/admin.js';
import { executeChatCommand } from '../../bot/commands/execute-chat-command.js';
import { parseChatCommand } from '../../bot/commands/parse-chat-command.js';
import type { CliIo } from '../../bot/cli/cli-io.js';
import { runCli } from '../../bot/cli/run-cli.js';
import { loadConfig } from '../../bot/runtime/config.js';
import { openRuntime } from '../../bot/runtime/open-runtime.js';
import { startServer, type RunningServer } from '../../bot/start-server.js';
import { rawRows } from '../../db/repositories/raw-rows.js';
import { ConsoleClient } from '../support/console-client.js';
import { MemoryLogger } from '../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';
import { PagesClient } from '../support/pages-client.js';
import { TestClock } from '../support/test-clock.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const TOKEN = /dkc_[A-Za-z0-9_-]{43}/;
const GEN_PASSWORD = 'generated key password 2026';

/** One in-process CLI run (the real runCli, on the test's database and clock). */
interface Run {
  code: number;
  json: { error?: { code: string; message: string } } & Record<string, unknown>;
  stderr: string;
}

/**
 * Issue 8 item 1: the operator is not an admin. The real CLI code (runCli) runs in-process against a served
 * installation without DUALKEY_DEV_IMPERSONATION; tokens are made through the chat command's one-time page and
 * the console over real HTTP.
 */
describe('the operator is not an admin', () => {
  let db: TestDatabase;
  let server: RunningServer;
  let engine: Engine;
  let tenantId: string;
  let ann: Admin;
  let bob: Admin;
  let dan: Admin;
  let keyChange: string;
  let lockRequest: string;
  const clock = new TestClock();
  const logger = new MemoryLogger();
  const work = mkdtempSync(path.join(tmpdir(), 'dualkey-operator-'));

  const cli = async (argv: string[], env: Record<string, string> = {}): Promise<Run> => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { stdout: (d) => void out.push(d.toString()), stderr: (t) => void err.push(t), readStdin: async () => Buffer.alloc(0), promptSecret: async () => null, cwd: work };
    const code = await runCli([...argv, '--json'], io, {
      env: { DUALKEY_DATA_DIR: work, ...env },
      openEngine: (c) => openRuntime(c, { database: db.database, clock, logger }),
      serve: async () => {
        throw new Error('serve must not start');
      },
    });
    return { code, json: JSON.parse(out.join('') || '{}') as Run['json'], stderr: err.join('') };
  };
  const web = (admin: Admin): Actor => ({ admin, transport: 'web' });
  const snapshot = async () => ({
    requests: (await engine.listRequests(tenantId, true)).map((r) => [r.id, r.state]),
    status: (await engine.status(tenantId)).map((s) => [s.instance, s.state, s.keyMode, s.protector.fingerprint]),
    admins: (await engine.listAdmins(tenantId)).map((a) => a.email),
  });
  /** Every table as JSON text: a logical dump of the whole database. */
  const dumpDatabase = async () =>
    db.database.transaction(async (tx) => {
      const tables = await rawRows<{ name: string }>(tx, sql`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`);
      const parts: string[] = [];
      for (const t of tables) {
        const rows = await rawRows<{ j: string }>(tx, sql.raw(`select row_to_json(t)::text as j from "${t.name}" t`));
        parts.push(...rows.map((r) => r.j));
      }
      return parts.join('\n');
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startServer(loadConfig({ DUALKEY_DATA_DIR: work, PORT: '0' }), { database: db.database, clock, logger, startScheduler: false });
    engine = server.runtime.engine;
    expect(engine.deps.devImpersonation).toBe(false);
    const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
    tenantId = tenant.id;
    const add = (email: string, name: string) => engine.addAdmin(tenantId, { email, name, role: 'global_admin', instances: [], identities: [] });
    ann = await add('ann@example.com', 'Ann');
    bob = await add('bob@example.com', 'Bob');
    clock.advanceHours(1 / 60);
    const roster = await engine.requestAdminChange(web(ann), { operation: 'admin_add', email: 'dan@example.com', name: 'Dan', role: 'global_admin', instances: [], identities: [] });
    await engine.decide(web(bob), roster.id, 'approve');
    dan = await engine.adminByEmail(tenantId, 'dan@example.com');
    for (const name of ['crm-prod', 'crm-locked', 'crm-lockreq', 'crm-idle']) await engine.createInstance(tenantId, name);
    clock.advanceHours(1 / 60);
    // crm-locked: locked the two-person way; crm-lockreq: a pending lock; crm-prod: a pending key change.
    const uploaded = await engine.changeKey(web(ann), 'crm-locked', { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    await engine.decide(web(bob), uploaded.request.id, 'approve');
    const generated = await engine.changeKey(web(ann), 'crm-lockreq', { kind: 'generate', password: GEN_PASSWORD });
    await engine.decide(web(bob), generated.request.id, 'approve');
    clock.advanceHours(73);
    const lock = await engine.requestLock(web(ann), 'crm-locked', { confirm: 'crm-locked', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    await engine.decide(web(bob), lock.id, 'approve');
    lockRequest = (await engine.requestLock(web(ann), 'crm-lockreq', { confirm: 'crm-lockreq', upload: { file: generated.pfx!, password: GEN_PASSWORD } })).id;
    keyChange = (await engine.changeKey(web(ann), 'crm-prod', { kind: 'generate', password: GEN_PASSWORD })).request.id;
    writeFileSync(path.join(work, 'pw'), `${FIXTURE_PASSWORD}\n`);
    writeFileSync(path.join(work, 'key.pfx'), fixture('rsa-2048.pfx'));
  });

  afterAll(async () => {
    await server?.close();
    await db?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses --as without DUALKEY_DEV_IMPERSONATION for every key operation, decision, lock, unlock and roster change: operator_cannot_act_as_admin, exit 1, nothing changed, each attempt audited', async () => {
    const before = await snapshot();
    const auditBefore = (await engine.listAudit({ tenantId }, 500)).length;
    const attempts: string[][] = [
      ['key', 'new', 'crm-idle', '--as', 'ann@example.com', '--password-file', 'pw', '--out', 'never.pfx'],
      ['key', 'upload', 'crm-idle', '--as', 'ann@example.com', '--file', 'key.pfx', '--password-file', 'pw'],
      ['key', 'revert', 'crm-lockreq', '--as', 'ann@example.com'],
      ['approve', keyChange, '--as', 'bob@example.com'],
      ['rollback', keyChange, '--as', 'bob@example.com'],
      ['approve', lockRequest, '--as', 'bob@example.com'],
      ['reject', lockRequest, '--as', 'bob@example.com'],
      ['lock', 'crm-idle', '--as', 'ann@example.com', '--confirm', 'crm-idle', '--file', 'key.pfx', '--password-file', 'pw'],
      ['unlock', 'crm-locked', '--as', 'ann@example.com', '--file', 'key.pfx', '--password-file', 'pw'],
      ['admin', 'add', 'eve@example.com', '--name', 'Eve', '--role', 'global_admin', '--as', 'ann@example.com'],
      ['admin', 'remove', 'dan@example.com', '--as', 'ann@example.com'],
    ];
    for (const argv of attempts) {
      const r = await cli(argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(r.json.error?.code, argv.join(' ')).toBe('operator_cannot_act_as_admin');
      expect(r.json.error?.message).toMatch(/--token-file/);
      expect(r.json.error?.message).toMatch(/console/);
    }
    expect(await snapshot()).toEqual(before);
    const all = await engine.listAudit({ tenantId }, 500);
    const audit = all.slice(0, all.length - auditBefore); // newest first: the entries the attempts added
    expect(audit).toHaveLength(attempts.length);
    for (const e of audit) expect(e).toMatchObject({ result: 'refused', code: 'operator_cannot_act_as_admin', transport: 'cli', actor: { kind: 'admin', impersonatedBy: 'operator' } });
    expect(audit.map((e) => e.action).sort()).toEqual(['admin_add_request', 'admin_remove_request', 'approve', 'approve', 'key_new', 'key_revert', 'key_upload', 'lock_request', 'reject', 'rollback', 'unlock'].sort());
  });

  it('refuses to start with DUALKEY_DEV_IMPERSONATION=true when NODE_ENV=production, naming the variable', async () => {
    for (const argv of [['serve'], ['approve', keyChange, '--as', 'bob@example.com']]) {
      const r = await cli(argv, { DUALKEY_DEV_IMPERSONATION: 'true', NODE_ENV: 'production' });
      expect(r.code).toBe(2);
      expect(r.json.error?.code).toBe('config_invalid');
      expect(r.json.error?.message).toMatch(/DUALKEY_DEV_IMPERSONATION is for local development only and is refused when NODE_ENV=production/);
    }
    expect((await engine.listRequests(tenantId, false)).map((r) => r.id)).toContain(keyChange);
  });

  it('announces DUALKEY_DEV_IMPERSONATION=true loudly: a warning when serve starts and on every --as run', async () => {
    const devLogger = new MemoryLogger();
    const devDb = await createTestDatabase();
    const devDir = mkdtempSync(path.join(tmpdir(), 'dualkey-operator-dev-'));
    const dev = await startServer(loadConfig({ DUALKEY_DATA_DIR: devDir, PORT: '0', DUALKEY_DEV_IMPERSONATION: 'true' }), { database: devDb.database, clock, logger: devLogger, startScheduler: false });
    try {
      expect(dev.runtime.engine.deps.devImpersonation).toBe(true);
      expect(devLogger.lines.map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.level === 'warn' && l.msg.includes('DUALKEY_DEV_IMPERSONATION=true'))).toHaveLength(1);
    } finally {
      await dev.close();
      await devDb.dispose();
      rmSync(devDir, { recursive: true, force: true });
    }
    expect(logger.lines.some((l) => l.includes('DUALKEY_DEV_IMPERSONATION'))).toBe(false);
    // A refused --as run (self-approval) under the flag still warns first, and is audited as impersonation.
    const r = await cli(['approve', keyChange, '--as', 'ann@example.com'], { DUALKEY_DEV_IMPERSONATION: 'true' });
    expect(r.json.error?.code).toBe('self_approval');
    expect(r.stderr).toMatch(/^warning: DUALKEY_DEV_IMPERSONATION=true: the operator acts as ann@example.com with --as/);
    expect((await engine.listAudit({ tenantId }, 1))[0]).toMatchObject({ action: 'approve', code: 'self_approval', actor: { email: 'ann@example.com', impersonatedBy: 'operator' } });
  });

  describe('personal CLI tokens', () => {
    const tokens: Record<string, string> = {};
    const file = (who: string) => `${who}.token`;

    it('makes a token through the chat command "cli-token": a private one-time page shows it once, and --token-file then acts as that admin', async () => {
      const reply = await executeChatCommand(engine, { admin: ann, transport: 'slack' }, parseChatCommand('cli-token'), { publicUrl: server.url, prefix: '/dualkey' });
      expect(reply.kind).toBe('ok');
      expect(JSON.stringify(reply)).not.toMatch(TOKEN);
      const pageToken = new URL(reply.link!.url).pathname.split('/').pop()!;
      const pages = new PagesClient(server.url);
      const form = await pages.open(pageToken);
      expect(form.status).toBe(200);
      expect(form.text).not.toMatch(TOKEN);
      const shown = await pages.submit(pageToken, { label: 'laptop' }, { cookie: form.cookie, csrf: form.csrf, headers: { origin: server.url, 'sec-fetch-site': 'same-origin' } });
      expect(shown.status).toBe(200);
      expect(shown.headers.get('cache-control')).toBe('no-store');
      tokens.ann = TOKEN.exec(shown.text)![0];
      expect((await pages.open(pageToken)).status).not.toBe(200); // the link is used up: the token is never shown again
      writeFileSync(path.join(work, file('ann')), `${tokens.ann}\n`, { mode: 0o600 });
      const r = await cli(['key', 'new', 'crm-idle', '--token-file', file('ann'), '--password-file', 'pw', '--out', 'idle.pfx']);
      expect(r.code, JSON.stringify(r.json)).toBe(0);
      expect(r.stderr).toBe('');
      const [entry] = await engine.listAudit({ tenantId, instanceName: 'crm-idle' }, 1);
      expect(entry).toMatchObject({ action: 'key_new', result: 'ok', transport: 'cli', actor: { email: 'ann@example.com', impersonatedBy: null } });
    });

    it('makes a token in the console (CLI tokens: create, shown once, listed without it); a token of Ann cannot approve Ann\'s own request (self_approval), Bob\'s can', async () => {
      for (const [who, admin] of [['bob', bob], ['dan', dan]] as const) {
        const c = new ConsoleClient(server.url);
        expect((await c.signIn((await engine.issueSignInLink(admin, 'slack')).token)).status).toBe(303);
        expect((await c.get('/console/tokens')).status).toBe(200);
        const created = await c.post('/console/tokens', { op: 'create', label: `${who} laptop` });
        expect(created.status).toBe(200);
        tokens[who] = TOKEN.exec(created.text)![0];
        const list = await c.get('/console/tokens');
        expect(list.text).toContain(`${who} laptop`);
        expect(list.text).not.toMatch(TOKEN);
        writeFileSync(path.join(work, file(who)), `${tokens[who]}\n`, { mode: 0o600 });
      }
      const request = (await engine.listRequests(tenantId, false)).find((r) => r.instanceName === 'crm-idle')!.id;
      const self = await cli(['approve', request, '--token-file', file('ann')]);
      expect(self.code).toBe(1);
      expect(self.json.error?.code).toBe('self_approval');
      const approved = await cli(['approve', request, '--token-file', file('bob')]);
      expect(approved.code, JSON.stringify(approved.json)).toBe(0);
      expect(approved.json).toMatchObject({ request, state: 'approved' });
    });

    it('revokes a token from the console: listed as revoked, refused by the CLI with token_invalid', async () => {
      const c = new ConsoleClient(server.url);
      await c.signIn((await engine.issueSignInLink(bob, 'slack')).token);
      await c.get('/console/tokens');
      const spare = TOKEN.exec((await c.post('/console/tokens', { op: 'create', label: 'spare' })).text)![0];
      writeFileSync(path.join(work, 'spare.token'), `${spare}\n`, { mode: 0o600 });
      const id = (await engine.listCliTokens(tenantId, bob.id)).find((t) => t.label === 'spare')!.id;
      await c.get('/console/tokens');
      const revoked = await c.post('/console/tokens', { op: 'revoke', id });
      expect(revoked.status).toBe(303);
      const list = await c.get('/console/tokens');
      expect(list.text).toMatch(new RegExp(`${id}</code></td><td>spare</td><td>[^<]*</td><td>never</td><td>revoked `));
      const refused = await cli(['requests', '--token-file', 'spare.token']);
      expect(refused.code).toBe(0); // commands that need no admin ignore the token
      const decision = await cli(['rollback', keyChange, '--token-file', 'spare.token']);
      expect(decision.code).toBe(1);
      expect(decision.json.error?.code).toBe('token_invalid');
      expect((await engine.listAudit({ tenantId }, 5)).find((e) => e.action === 'cli_token_revoke')).toMatchObject({ actor: { email: 'bob@example.com' }, transport: 'web', details: { token: id } });
      tokens.spare = spare;
    });

    it('stores tokens only as SHA-256 hashes: no plaintext token anywhere in a dump of the database', async () => {
      const dump = await dumpDatabase();
      for (const t of Object.values(tokens)) {
        expect(dump).not.toContain(t);
        expect(dump).not.toContain(t.slice(4));
        expect(dump).toContain(createHash('sha256').update(t).digest('hex'));
      }
      const listed = await cli(['token', 'list']);
      expect(listed.code).toBe(0);
      expect(JSON.stringify(listed.json)).not.toMatch(TOKEN);
      expect((listed.json as unknown as Array<{ admin: string }>).map((t) => t.admin).sort()).toEqual(['ann@example.com', 'bob@example.com', 'bob@example.com', 'dan@example.com']);
    });

    it('refuses a revoked token (the operator may revoke) and the token of a removed admin with token_invalid, exit 1', async () => {
      const annToken = (await engine.listCliTokens(tenantId, ann.id))[0]!;
      const revoked = await cli(['token', 'revoke', annToken.id]);
      expect(revoked.code).toBe(0);
      const refused = await cli(['key', 'revert', 'crm-idle', '--token-file', file('ann')]);
      expect(refused.code).toBe(1);
      expect(refused.json.error?.code).toBe('token_invalid');
      // Bob requests Dan's removal with his token; a new Ann token (console) approves it; Dan's token then fails.
      const c = new ConsoleClient(server.url);
      await c.signIn((await engine.issueSignInLink(ann, 'teams')).token);
      await c.get('/console/tokens');
      tokens.ann2 = TOKEN.exec((await c.post('/console/tokens', { op: 'create', label: 'second' })).text)![0];
      writeFileSync(path.join(work, file('ann2')), `${tokens.ann2}\n`, { mode: 0o600 });
      const removal = await cli(['admin', 'remove', 'dan@example.com', '--token-file', file('bob')]);
      expect(removal.code, JSON.stringify(removal.json)).toBe(0);
      expect((await cli(['approve', String(removal.json.request), '--token-file', file('ann2')])).code).toBe(0);
      const orphan = await cli(['approve', keyChange, '--token-file', file('dan')]);
      expect(orphan.code).toBe(1);
      expect(orphan.json.error?.code).toBe('token_invalid');
      expect((await engine.listCliTokens(tenantId, dan.id)).every((t) => t.revokedAt !== null)).toBe(true);
      const audit = await engine.listAudit({ tenantId }, 100);
      expect(audit.filter((e) => e.action === 'cli_token_use' && e.code === 'token_invalid').map((e) => e.details.reason).sort()).toEqual(['admin_removed', 'revoked', 'revoked']); // Ann's, Dan's, and Bob's spare
      expect(audit.find((e) => e.action === 'cli_token_revoke')).toMatchObject({ result: 'ok', actor: { kind: 'operator' }, details: { token: annToken.id, owner: 'ann@example.com' } });
      expect(JSON.stringify(audit)).not.toMatch(TOKEN);
    });

    it('never lets the operator create a token for someone, even with DUALKEY_DEV_IMPERSONATION', async () => {
      const devEngine = (await openRuntime(loadConfig({ DUALKEY_DATA_DIR: work, DUALKEY_DEV_IMPERSONATION: 'true' }), { database: db.database, clock, logger })).engine;
      await expect(devEngine.createCliToken({ admin: bob, transport: 'cli', impersonatedBy: 'operator' }, 'for bob')).rejects.toMatchObject({ code: 'operator_cannot_act_as_admin' });
      await expect(engine.createCliToken({ admin: bob, transport: 'cli', impersonatedBy: 'operator' }, 'for bob')).rejects.toMatchObject({ code: 'operator_cannot_act_as_admin' });
      await expect(devEngine.issuePageLink({ admin: bob, transport: 'cli', impersonatedBy: 'operator' }, 'cli_token', '')).rejects.toMatchObject({ code: 'operator_cannot_act_as_admin' });
    });
  });
});
