import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../core/engine.js';
import type { Database } from '../../db/database.js';
import { rawRows } from '../../db/repositories/raw-rows.js';
import { createCliWorkspace, type CliRun, type CliWorkspace } from '../support/e2e-cli.js';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';

/** The `{"error":{…}}` body of a refusal under --json. */
interface ErrorJson {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures', 'keyfiles');
const FINGERPRINT = /^sha256:[A-Za-z0-9_-]{43}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** The password of every `key new` in this file: it must never be printed. */
const NEW_KEY_PASSWORD = `new key ${randomBytes(9).toString('base64url')}`;
/** A password too short for a new key (and distinctive enough to search the output for). */
const SHORT_PASSWORD = 'xQ7#tiny';
const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;

/** `sha256:` + base64url of SHA-256 over the SPKI DER, computed here without core's code. */
function fingerprintOf(spkiDer: Buffer): string {
  return `sha256:${createHash('sha256').update(spkiDer).digest('base64url')}`;
}
const FIXTURE_FINGERPRINT = fingerprintOf(createPublicKey(createPrivateKey(fixture('rsa-2048.key.pem'))).export({ type: 'spki', format: 'der' }));

/** Writes the fixture password file (first line only, as `echo` writes it) into the workspace. */
function passwordFile(ws: CliWorkspace, password = FIXTURE_PASSWORD, name = 'pw.txt'): string {
  writeFileSync(path.join(ws.cwd, name), `${password}\n`, { mode: 0o600 });
  return name;
}

/** A tenant with admins ann and bob (global) and the instance crm-prod, made in-process (not under test here). */
async function seed(ws: CliWorkspace): Promise<void> {
  await ws.withEngine(async (engine: Engine) => {
    const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
    for (const [email, name] of [['ann@example.com', 'Ann'], ['bob@example.com', 'Bob']] as const) {
      await engine.addAdmin(tenant.id, { email, name, role: 'global_admin', instances: [], identities: [] });
    }
    await engine.createInstance(tenant.id, 'crm-prod');
  });
}

/** Creates a personal CLI token per admin as the console does (transport web), each in a 0600 file; returns the file names. */
async function tokenFiles(ws: CliWorkspace, emails: string[]): Promise<string[]> {
  const tokens = await ws.withEngine(async (engine: Engine) => {
    const tenant = await engine.resolveTenant();
    const out: string[] = [];
    for (const email of emails) out.push((await engine.createCliToken({ admin: await engine.adminByEmail(tenant.id, email), transport: 'web' }, 'cli test')).token);
    return out;
  });
  return emails.map((email, i) => {
    const name = `${email.split('@')[0]}.token`;
    writeFileSync(path.join(ws.cwd, name), `${tokens[i]!}\n`, { mode: 0o600 });
    return name;
  });
}

/** The warning every --as run prints while local-development impersonation is on. */
const IMPERSONATION_WARNING = /^warning: DUALKEY_DEV_IMPERSONATION=true: the operator acts as \S+ with --as .*\n/;

/** Asserts a --json refusal: exit status, code, nothing on stderr but the impersonation warning. */
function expectRefusal(r: CliRun, exitCode: number, code: string): ErrorJson['error'] {
  expect(r.code, `${r.args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(exitCode);
  expect((r.json as ErrorJson).error.code).toBe(code);
  expect(r.stderr.replace(IMPERSONATION_WARNING, '')).toBe('');
  return (r.json as ErrorJson).error;
}

/** Asserts success and returns the JSON output. */
function ok<T>(r: CliRun<T>): T {
  expect(r.code, `${r.args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.json;
}

/** The seq of every audit row, read with SQL (not through the repositories under test). */
async function auditSeqs(database: Database): Promise<number[]> {
  const rows = await database.transaction((tx) => rawRows<{ seq: number | string }>(tx, sql`select seq from audit_entries order by seq`));
  return rows.map((r) => Number(r.seq));
}

const workspaces: CliWorkspace[] = [];
async function workspace(): Promise<CliWorkspace> {
  const ws = await createCliWorkspace();
  workspaces.push(ws);
  return ws;
}

afterAll(async () => {
  for (const ws of workspaces) await ws.dispose();
});

describe('dualkey CLI, spawned as `node bin/dualkey.js`', () => {
  describe('a key change from an empty installation', () => {
    let ws: CliWorkspace;
    beforeAll(async () => {
      ws = await workspace();
    });

    it('walks tenant → admins → instance → status → key upload → two-person approval → lock cooldown → requests → audit → verify', async () => {
      const pw = passwordFile(ws);
      const pfx = path.join(FIXTURES, 'rsa-2048.pfx');

      expect(ok(await ws.run(['tenant', 'create', 'acme', '--json']))).toMatchObject({ tenant: 'acme', selfManagedKeys: true });
      expect(ok(await ws.run(['admin', 'add', 'ann@example.com', '--name', 'Ann', '--role', 'global_admin', '--json']))).toMatchObject({ email: 'ann@example.com', role: 'global_admin' });
      expect(ok(await ws.run(['admin', 'add', 'bob@example.com', '--name', 'Bob', '--role', 'global_admin', '--json']))).toMatchObject({ email: 'bob@example.com', role: 'global_admin' });
      expect(ok(await ws.run(['instance', 'create', 'crm-prod', '--json']))).toMatchObject({ instance: 'crm-prod', state: 'active', keyMode: 'service' });
      // Each admin acts with their own CLI token, made as the console makes it (the operator cannot make one).
      const [ann, bob] = (await tokenFiles(ws, ['ann@example.com', 'bob@example.com'])) as [string, string];

      // status --json of one instance: exactly these fields.
      const status = ok(await ws.run<Record<string, unknown>>(['status', 'crm-prod', '--json']));
      expect(status).toEqual({
        instance: 'crm-prod',
        state: 'active',
        keyMode: 'service',
        protector: { name: expect.any(String), fingerprint: expect.stringMatching(FINGERPRINT), kind: 'service' },
        lockAllowedAt: null,
        pendingRequest: null,
        keyDestruction: null,
        keyAccessProblem: null,
      });
      const serviceFingerprint = (status.protector as { fingerprint: string }).fingerprint;

      const before = Date.now();
      const upload = await ws.run<{ request: string; fingerprint: string; kind: string; state: string; deadline: string }>(
        ['key', 'upload', 'crm-prod', '--token-file', ann, '--file', pfx, '--password-file', pw, '--json'],
      );
      const after = Date.now();
      const changed = ok(upload);
      expect(changed).toMatchObject({ request: expect.any(String), instance: 'crm-prod', state: 'pending', kind: 'pfx', fingerprint: FIXTURE_FINGERPRINT });
      const requestId = changed.request;

      // requests --json: the pending key change, exactly these fields.
      const requests = ok(await ws.run(['requests', '--json']));
      expect(requests).toEqual([{ id: requestId, type: 'key_change', instance: 'crm-prod', state: 'pending', requestedBy: 'ann@example.com', deadline: changed.deadline }]);
      expect(Date.parse(changed.deadline)).toBeGreaterThanOrEqual(before + 72 * 3_600_000 - 1_000);
      expect(Date.parse(changed.deadline)).toBeLessThanOrEqual(after + 72 * 3_600_000);

      // The requester cannot approve their own change; another admin can.
      expectRefusal(await ws.run(['approve', requestId, '--token-file', ann, '--json']), 1, 'self_approval');
      expect(ok(await ws.run(['approve', requestId, '--token-file', bob, '--json']))).toMatchObject({ request: requestId, type: 'key_change', state: 'approved', decidedAt: expect.stringMatching(ISO) });

      // No lock within 72 hours of a key change: the refusal says when it becomes allowed.
      const lock = expectRefusal(await ws.run(['lock', 'crm-prod', '--token-file', ann, '--confirm', 'crm-prod', '--file', pfx, '--password-file', pw, '--json']), 1, 'lock_cooldown');
      const lockAllowedAt = Date.parse(String(lock.details?.lockAllowedAt));
      expect(lockAllowedAt).toBeGreaterThanOrEqual(before + 72 * 3_600_000 - 1_000);
      expect(lockAllowedAt).toBeLessThanOrEqual(after + 72 * 3_600_000);
      expect(lock.message).toContain(String(lock.details?.lockAllowedAt));

      // audit --json, newest first: the operations and the refusals, each by the admin in their own name through the CLI.
      const audit = ok(await ws.run<Array<Record<string, unknown>>>(['audit', '--json']));
      expect(audit.map((e) => e.seq)).toEqual([...audit.map((e) => e.seq)].sort((a, b) => Number(b) - Number(a)));
      expect(audit.map((e) => [e.action, e.result, e.code]).reverse()).toEqual([
        ['tenant_create', 'ok', null],
        ['admin_add', 'ok', null],
        ['admin_add', 'ok', null],
        ['instance_create', 'ok', null],
        ['cli_token_create', 'ok', null],
        ['cli_token_create', 'ok', null],
        ['key_upload', 'ok', null],
        ['approve', 'refused', 'self_approval'],
        ['approve', 'ok', null],
        ['key_destroyed', 'ok', null],
        ['lock_request', 'refused', 'lock_cooldown'],
      ]);
      const byAction = (action: string, result: string) => audit.find((e) => e.action === action && e.result === result)!;
      expect(byAction('key_upload', 'ok')).toMatchObject({ actor: 'ann@example.com', impersonatedBy: null, transport: 'cli', instance: 'crm-prod', request: requestId, details: { fingerprint: FIXTURE_FINGERPRINT, previousFingerprint: serviceFingerprint } });
      expect(byAction('approve', 'refused')).toMatchObject({ actor: 'ann@example.com', impersonatedBy: null, request: requestId });
      expect(byAction('approve', 'ok')).toMatchObject({ actor: 'bob@example.com', impersonatedBy: null, instance: 'crm-prod', request: requestId });

      const verified = ok(await ws.run(['audit', 'verify', '--json']));
      expect(verified).toMatchObject({ ok: true, entries: audit.length, headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    });

    it('lists the refused approval of a request under its instance in `audit --instance`', async () => {
      // Depends on the walk above. A refused decision must be findable by instance like the successful one.
      const audit = ok(await ws.run<Array<Record<string, unknown>>>(['audit', '--instance', 'crm-prod', '--json']));
      expect(audit.map((e) => [e.action, e.result, e.code])).toContainEqual(['approve', 'ok', null]);
      expect(audit.map((e) => [e.action, e.result, e.code])).toContainEqual(['approve', 'refused', 'self_approval']);
    });
  });

  /**
   * Everything else runs on one installation seeded in-process (tenant acme, admins ann and bob,
   * instance crm-prod), in file order: each spawned command costs ~1.5 s, so they share it. The
   * tenant-selection test adds a second tenant, and the tamper test, which breaks the audit chain, comes last.
   */
  describe('on a seeded installation', () => {
    let ws: CliWorkspace;
    beforeAll(async () => {
      ws = await workspace();
      // These tests drive admins with --as: local-development impersonation, turned on explicitly.
      ws.env.DUALKEY_DEV_IMPERSONATION = 'true';
      await seed(ws);
    });

    describe('commands that never open the database', { concurrent: true }, () => {
      it.each([
        ['an unknown command', ['frobnicate', 'crm-prod'], /unknown command "frobnicate crm-prod"/],
        ['an unknown flag', ['status', '--colour', 'blue'], /--colour/],
        ['neither --token-file nor --as', ['key', 'revert', 'crm-prod'], /--token-file <file> is required/],
      ])('exits 2 with {"error":{"code":"usage"}} for %s', async (_what, args, message) => {
        const error = expectRefusal(await ws.run([...args, '--json']), 2, 'usage');
        expect(error.message).toMatch(message);
      });

      it('exits 2 naming the variable and the accepted values when the configuration is invalid', async () => {
        const error = expectRefusal(await ws.run(['status', '--json'], { env: { DUALKEY_VAULT: 'bogus' } }), 2, 'config_invalid');
        expect(error.message).toMatch(/DUALKEY_VAULT must be "local" .*, "azure" .* or "pkcs11"/);
      });

      it('inspects the OpenSSL fixture PFX: format, key type, size and the independently computed fingerprint', async () => {
        const r = await ws.run(['keyfile', 'inspect', path.join(FIXTURES, 'rsa-2048.pfx'), '--password-file', passwordFile(ws), '--json']);
        expect(ok(r)).toEqual({ format: 'pfx', keyType: 'rsa', bits: 2048, fingerprint: FIXTURE_FINGERPRINT });
      });

      it('never overwrites an existing --out file with a new key (exit 2, file untouched)', async () => {
        writeFileSync(path.join(ws.cwd, 'precious.pfx'), 'the only copy of an older key');
        const pw = passwordFile(ws, NEW_KEY_PASSWORD, 'existing-pw.txt');
        const error = expectRefusal(await ws.run(['key', 'new', 'crm-prod', '--as', 'ann@example.com', '--password-file', pw, '--out', 'precious.pfx', '--json']), 2, 'usage');
        expect(error.message).toContain('already exists');
        expect(readFileSync(path.join(ws.cwd, 'precious.pfx'), 'utf8')).toBe('the only copy of an older key');
      });

      it('refuses a new-key password under 12 characters with password_too_short, leaving no output file', async () => {
        const pw = passwordFile(ws, SHORT_PASSWORD, 'short-pw.txt');
        expectRefusal(await ws.run(['key', 'new', 'crm-prod', '--as', 'ann@example.com', '--password-file', pw, '--out', 'short.pfx', '--json']), 1, 'password_too_short');
        expect(existsSync(path.join(ws.cwd, 'short.pfx'))).toBe(false);
      });

      it('refuses a wrong PFX password with exit 1 pfx_bad_password', async () => {
        const r = await ws.run(['keyfile', 'inspect', path.join(FIXTURES, 'rsa-2048.pfx'), '--password-file', passwordFile(ws, 'not the password', 'wrong.txt'), '--json']);
        expectRefusal(r, 1, 'pfx_bad_password');
      });
    });

    it('writes a new key once into a 0600 PFX that keyfile inspect and openssl open with the same password', async ({ skip }) => {
      const pw = passwordFile(ws, NEW_KEY_PASSWORD, 'new-pw.txt');
      const made = ok(await ws.run<{ fingerprint: string; kind: string; request: string; out: string }>(
        ['key', 'new', 'crm-prod', '--as', 'ann@example.com', '--password-file', pw, '--out', 'new.pfx', '--name', 'Prod key 2026', '--json'],
      ));
      expect(made).toMatchObject({ instance: 'crm-prod', kind: 'generated', keyName: 'Prod key 2026', state: 'pending', fingerprint: expect.stringMatching(FINGERPRINT), out: path.join(ws.cwd, 'new.pfx') });
      const file = path.join(ws.cwd, 'new.pfx');
      expect(statSync(file).mode & 0o777).toBe(0o600);

      const inspected = ok(await ws.run(['keyfile', 'inspect', 'new.pfx', '--password-file', pw, '--json']));
      expect(inspected).toEqual({ format: 'pfx', keyType: 'rsa', bits: 2048, fingerprint: made.fingerprint });

      if (!HAS_OPENSSL) skip('the openssl binary is not installed: the OpenSSL interoperability check cannot run');
      const passin = `file:${path.join(ws.cwd, pw)}`;
      // OpenSSL 3 without -legacy verifies the MAC and decrypts every bag.
      execFileSync('openssl', ['pkcs12', '-in', file, '-passin', passin, '-noout'], { stdio: 'pipe' });
      const certPem = execFileSync('openssl', ['pkcs12', '-in', file, '-passin', passin, '-nokeys', '-clcerts'], { stdio: 'pipe' }).toString();
      const certText = execFileSync('openssl', ['x509', '-noout', '-text'], { input: certPem, stdio: 'pipe' }).toString();
      expect(certText).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
      expect(certText).toMatch(/Public-Key: \(2048 bit\)/);
      const pubPem = execFileSync('openssl', ['x509', '-noout', '-pubkey'], { input: certPem, stdio: 'pipe' }).toString();
      expect(fingerprintOf(createPublicKey(pubPem).export({ type: 'spki', format: 'der' }))).toBe(made.fingerprint);
      // The file really is protected: OpenSSL refuses another password.
      expect(spawnSync('openssl', ['pkcs12', '-in', file, '-passin', 'pass:not the password', '-noout']).status).not.toBe(0);
    });

    it('round-trips binary bytes: data put from standard input, data get to standard output', async () => {
      const value = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\r\n\u0000'), randomBytes(2048)]);
      const put = await ws.run(['data', 'put', 'crm-prod', 'blobs/1'], { stdin: value });
      expect(put.code, put.stderr).toBe(0);
      expect(put.stdout).toContain(`${value.length} bytes`);
      const got = await ws.run(['data', 'get', 'crm-prod', 'blobs/1']);
      expect(got.code, got.stderr).toBe(0);
      expect(got.stdoutBytes.equals(value)).toBe(true);
    });

    it('refuses to guess the tenant once two exist (tenant_required, naming them) and accepts --tenant', async () => {
      await ws.withEngine(async (engine) => {
        const globex = await engine.createTenant('globex', { selfManagedKeys: true });
        await engine.createInstance(globex.id, 'globex-prod');
      });
      const refused = expectRefusal(await ws.run(['status', '--json']), 1, 'tenant_required');
      expect(refused.message).toContain('acme');
      expect(refused.message).toContain('globex');
      const chosen = ok(await ws.run<Array<{ instance: string }>>(['status', '--tenant', 'globex', '--json']));
      expect(chosen.map((s) => s.instance)).toEqual(['globex-prod']);
    });

    it('exits 1 naming the first altered entry after one row\'s details are changed with SQL, and the removed newest entry after it is deleted', async () => {
      // Alter the details of the second entry behind dualkey's back.
      const seqs = await ws.withDatabase(async (database) => {
        const all = await auditSeqs(database);
        await database.transaction((tx) => tx.execute(sql`update audit_entries set details = details || '{"tampered":true}'::jsonb where seq = ${all[1]!}`));
        return all;
      });
      expect(seqs.length).toBeGreaterThanOrEqual(4);
      const victim = seqs[1]!;
      const newest = seqs.at(-1)!;
      const altered = expectRefusal(await ws.run(['audit', 'verify', '--json']), 1, 'audit_chain_broken');
      expect(altered.details).toEqual({ firstBadSeq: victim });
      expect(altered.message).toContain(`entry ${victim}`);

      // Undo the alteration and remove the newest entry instead: now that removal is the first fault.
      await ws.withDatabase((database) =>
        database.transaction(async (tx) => {
          await tx.execute(sql`update audit_entries set details = details - 'tampered' where seq = ${victim}`);
          await tx.execute(sql`delete from audit_entries where seq = ${newest}`);
        }),
      );
      const removed = expectRefusal(await ws.run(['audit', 'verify', '--json']), 1, 'audit_chain_broken');
      expect(removed.details).toEqual({ firstBadSeq: newest });
      expect(removed.message).toContain(String(newest));
    });
  });

  it('never prints a password given with --password-file, on stdout or stderr of any command', () => {
    const runs = workspaces.flatMap((ws) => ws.runs);
    const withPassword = runs.filter((r) => r.args.includes('--password-file'));
    expect(withPassword.length).toBeGreaterThan(0);
    for (const r of runs) {
      for (const secret of [FIXTURE_PASSWORD, NEW_KEY_PASSWORD, 'not the password', SHORT_PASSWORD]) {
        expect(r.stdout, r.args.join(' ')).not.toContain(secret);
        expect(r.stderr, r.args.join(' ')).not.toContain(secret);
      }
    }
  });
});
