import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../core/engine.js';
import type { Actor } from '../../core/model/actor.js';
import type { PageOperation } from '../../core/model/page-token.js';
import { parsePfx } from '../../core/keyfiles/parse-pfx.js';
import { ConfigError, loadConfig } from '../../bot/runtime/config.js';
import { startServer, type RunningServer } from '../../bot/start-server.js';
import { pageRoutes } from '../../bot/web/pages/page-routes.js';
import { MemoryLogger } from '../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture, makeByok } from '../support/key-fixtures.js';
import { PagesClient, shownCode, type PageResponse } from '../support/pages-client.js';
import { TestClock } from '../support/test-clock.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const NEW_PASSWORD = 'a brand-new PFX password 42';
const WRONG_PASSWORD = 'not-the-password-of-this-file';
const SHORT_PASSWORD = 'short-pw';
/** Every password this suite types into a page: none may ever come back in a response or reach the log. */
const TYPED = [NEW_PASSWORD, WRONG_PASSWORD, SHORT_PASSWORD, FIXTURE_PASSWORD];

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

const pfxPart = (name: string) => ({ file: fixture(name), name });

/**
 * The one-time secrets pages through the whole server (startServer, real HTTP, real engine, real local vault)
 * on a private test database; link expiry and the lock cooldown run on an injected clock.
 */
describe('one-time secrets pages', () => {
  let db: TestDatabase;
  let dataDir: string;
  let server: RunningServer;
  let engine: Engine;
  let client: PagesClient;
  const clock = new TestClock();
  const logger = new MemoryLogger();
  let tenantId: string;
  let ann: Actor;
  let bob: Actor;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'dualkey-e2e-pages-'));
    server = await startServer(loadConfig({ DUALKEY_DATA_DIR: dataDir, PORT: '0' }), { database: db.database, clock, logger, startScheduler: false });
    engine = server.runtime.engine;
    client = new PagesClient(server.url);
    const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
    tenantId = tenant.id;
    const add = (email: string, name: string) => engine.addAdmin(tenant.id, { email, name, role: 'global_admin', instances: [], identities: [] });
    // Links come from chat: the actor's transport is Slack.
    ann = { admin: await add('ann@example.com', 'Ann'), transport: 'slack' };
    bob = { admin: await add('bob@example.com', 'Bob'), transport: 'slack' };
    for (const name of ['crm-prod', 'hr-prod', 'byok-prod', 'ops-prod', 'race-prod', 'esc-prod', 'web-prod']) await engine.createInstance(tenant.id, name);
    clock.advanceHours(1 / 60);
  });

  afterAll(async () => {
    await server?.close();
    await db?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const link = async (op: PageOperation, instance: string, who: Actor = ann) => (await engine.issuePageLink(who, op, instance)).token;
  const status = async (instance: string) => (await engine.status(tenantId, instance))[0]!;
  const pendingOf = async (instance: string) => (await engine.listRequests(tenantId, false)).filter((r) => r.instanceName === instance);

  describe('key new, then lock and unlock with the downloaded key', () => {
    let token: string;
    let pfx: Buffer;

    it('shows the instance, the admin, the expiry, password fields and the save-it-somewhere-safe warning', async () => {
      token = await link('key_new', 'crm-prod');
      const page = await client.open(token);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.text).toContain('crm-prod');
      expect(page.text).toContain('Ann &lt;ann@example.com&gt;');
      const expires = new Date(clock.now().getTime() + 10 * 60_000).toISOString().slice(0, 16).replace('T', ' ');
      expect(page.text).toContain(`${expires} UTC`);
      expect(page.text).toContain('Save the key file somewhere safe: dualkey keeps no copy and cannot give it to you again');
      expect(page.text).toMatch(/<input id="password" name="password" type="password"/);
      expect(page.text).toMatch(/<input id="password2" name="password2" type="password"/);
      expect(page.text).toMatch(/<form method="post" enctype="multipart\/form-data"/);
      expect(page.text).not.toMatch(/<script/i);
    });

    it('refuses passwords that differ or are too short with 422, echoing nothing typed and counting nothing', async () => {
      const differ = await client.complete(token, { password: NEW_PASSWORD, password2: `${NEW_PASSWORD}!` });
      expect(differ.status).toBe(422);
      expect(shownCode(differ)).toBe('invalid_input');
      expect(differ.text).toContain('The two passwords differ');
      const short = await client.complete(token, { password: SHORT_PASSWORD, password2: SHORT_PASSWORD });
      expect(short.status).toBe(422);
      expect(shownCode(short)).toBe('password_too_short');
      for (const r of [differ, short]) {
        expect(r.text).toMatch(/name="password2"/); // the form again, empty
        expect(r.text).not.toContain('value="short-pw"');
        expect(r.text).not.toContain('attempts left');
      }
      expect((await status('crm-prod')).keyMode).toBe('service');
    });

    it('downloads the generated PFX once: it opens with the password and its key now protects the instance, as ann\'s request', async () => {
      const res = await client.complete(token, { password: NEW_PASSWORD, password2: NEW_PASSWORD, keyName: 'CRM <prod> key' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-pkcs12');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="crm-prod-${clock.now().toISOString().slice(0, 10)}.pfx"`);
      pfx = res.bytes;
      const key = parsePfx(pfx, NEW_PASSWORD);
      expect(key.bits).toBe(2048);
      const now = await status('crm-prod');
      expect(now.keyMode).toBe('customer');
      expect(now.protector.fingerprint).toBe(key.fingerprint);
      expect(now.protector.name).toBe('CRM <prod> key');
      const [request] = await pendingOf('crm-prod');
      expect(request).toMatchObject({ type: 'key_change', requestedBy: ann.admin.id, requestedVia: 'slack', requesterEmail: 'ann@example.com' });
      expect(res.headers.get('x-dualkey-request')).toBe(request!.id);
      const audit = (await engine.listAudit({ tenantId, instanceName: 'crm-prod' })).find((e) => e.action === 'key_new' && e.result === 'ok');
      expect(audit).toMatchObject({ actor: { kind: 'admin', adminId: ann.admin.id, email: 'ann@example.com', impersonatedBy: null }, transport: 'slack', requestId: request!.id });
    });

    it('is single use: a second POST or GET answers 410 page_link_used', async () => {
      const again = await client.submit(token, { password: NEW_PASSWORD, password2: NEW_PASSWORD }, { cookie: null, csrf: null });
      expect(again.status).toBe(410);
      expect(shownCode(again)).toBe('page_link_used');
      const get = await client.open(token);
      expect(get.status).toBe(410);
      expect(shownCode(get)).toBe('page_link_used');
      expect(get.text).not.toMatch(/<form/);
      expect(await pendingOf('crm-prod')).toHaveLength(1);
    });

    it('lock: states what a lock does, refuses a wrong confirmation, then opens ann\'s lock request after approval + 72 h', async () => {
      const [change] = await pendingOf('crm-prod');
      await engine.decide(bob, change!.id, 'approve');
      clock.advanceHours(72);
      const lockToken = await link('lock', 'crm-prod');
      const page = await client.open(lockToken);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Locking takes crm-prod completely offline');
      expect(page.text).toContain('cannot be restored from a backup');
      expect(page.text).toMatch(/name="confirm" type="text"/);
      expect(page.text).toMatch(/name="keyfile" type="file"/);

      const file = { file: pfx, name: 'crm-prod.pfx' };
      const wrong = await client.submit(lockToken, { confirm: 'crm-prd', keyfile: file, password: NEW_PASSWORD }, { cookie: page.cookie, csrf: page.csrf, headers: { origin: server.url } });
      expect(wrong.status).toBe(422);
      expect(shownCode(wrong)).toBe('confirmation_mismatch');
      expect(wrong.text).not.toContain('crm-prd');

      const res = await client.complete(lockToken, { confirm: 'crm-prod', keyfile: file, password: NEW_PASSWORD });
      expect(res.status).toBe(200);
      const [lock] = await pendingOf('crm-prod');
      expect(lock).toMatchObject({ type: 'lock', requestedBy: ann.admin.id });
      expect(res.text).toContain(lock!.id);
      expect(res.text).toContain(lock!.deadline.toISOString().slice(0, 16).replace('T', ' '));
      expect(res.text).toContain('Nobody could be told outside the console');
      expect((await client.open(lockToken)).status).toBe(410);

      await engine.decide(bob, lock!.id, 'approve');
      expect((await status('crm-prod')).state).toBe('locked');
    });

    it('unlock: the downloaded key file and its password bring the instance back', async () => {
      const unlockToken = await link('unlock', 'crm-prod');
      const page = await client.open(unlockToken);
      expect(page.status).toBe(200);
      expect(page.text).toContain('locked with');
      const other = await client.complete(unlockToken, { keyfile: pfxPart('rsa-2048.pfx'), password: FIXTURE_PASSWORD });
      expect(other.status).toBe(422);
      expect(shownCode(other)).toBe('key_mismatch');
      expect(other.text).toContain('4 attempts left');
      const res = await client.complete(unlockToken, { keyfile: { file: pfx, name: 'crm-prod.pfx' }, password: NEW_PASSWORD });
      expect(res.status).toBe(200);
      expect(res.text).toContain('crm-prod is unlocked');
      expect(res.text).toContain('Nobody could be told outside the console');
      expect((await status('crm-prod')).state).toBe('active');
      const audit = (await engine.listAudit({ tenantId, instanceName: 'crm-prod' })).find((e) => e.action === 'unlock' && e.result === 'ok');
      expect(audit?.actor.adminId).toBe(ann.admin.id);
    });
  });

  describe('key upload', () => {
    it('uploads an OpenSSL PFX: the instance is protected by its key and the result names the request and deadline', async () => {
      const token = await link('key_upload', 'hr-prod');
      const page = await client.open(token);
      expect(page.text).toMatch(/accept="\.pfx,\.p12,\.byok"/);
      const res = await client.complete(token, { keyfile: pfxPart('rsa-2048.pfx'), password: FIXTURE_PASSWORD });
      expect(res.status).toBe(200);
      const expected = parsePfx(fixture('rsa-2048.pfx'), FIXTURE_PASSWORD).fingerprint;
      expect((await status('hr-prod')).protector.fingerprint).toBe(expected);
      const [request] = await pendingOf('hr-prod');
      expect(request).toMatchObject({ requestedBy: ann.admin.id, payload: { operation: 'upload', fingerprint: expected } });
      expect(res.text).toContain(request!.id);
      expect(res.text).toContain(expected);
      expect(res.text).toContain(request!.deadline.toISOString().slice(0, 16).replace('T', ' '));
      expect(res.text).toContain('Nobody could be told outside the console');
      expect(res.headers.getSetCookie().some((c) => /Max-Age=0/.test(c))).toBe(true);
    });

    it('uploads a BYOK file made against the KEK downloaded from the page', async () => {
      const token = await link('key_upload', 'byok-prod');
      const page = await client.open(token);
      const kekId = /key-exchange key \(KEK\) id <code>([^<]+)<\/code>/.exec(page.text)?.[1];
      expect(kekId).toBeTruthy();
      expect(page.text).toContain(`href="${token}/kek.pem"`);
      const kek = await client.open(token, '/kek.pem');
      expect(kek.status).toBe(200);
      expect(kek.headers.get('content-type')).toBe('application/x-pem-file');
      expect(kek.headers.get('content-disposition')).toBe(`attachment; filename="${kekId}.pem"`);
      expect(kek.text).toMatch(/^-----BEGIN PUBLIC KEY-----/);
      const byok = makeByok(kek.text, kekId!, otherKeyPkcs8());
      const res = await client.complete(token, { keyfile: { file: byok, name: 'key.byok' }, password: '' });
      expect(res.status).toBe(200);
      const expected = parsePfx(fixture('rsa-2048-other.pfx'), FIXTURE_PASSWORD).fingerprint;
      expect((await status('byok-prod')).protector.fingerprint).toBe(expected);
      expect((await pendingOf('byok-prod'))[0]).toMatchObject({ requestedBy: ann.admin.id, payload: { keyKind: 'byok' } });
      // The KEK is served only while the link is valid, and only by key_upload links.
      expect((await client.open(token, '/kek.pem')).status).toBe(410);
      const newLink = await link('key_new', 'web-prod');
      const notUpload = await client.open(newLink, '/kek.pem');
      expect(notUpload.status).toBe(404);
      expect(shownCode(notUpload)).toBe('not_found');
    });
  });

  describe('refusals', () => {
    it.each([
      ['a wrong password', 'rsa-2048.pfx', WRONG_PASSWORD, 'pfx_bad_password'],
      ['an EC key', 'ec-p256.pfx', FIXTURE_PASSWORD, 'key_type_unsupported'],
      ['a 1024-bit key', 'rsa-1024.pfx', FIXTURE_PASSWORD, 'key_too_small'],
      ['a PFX without its password', 'rsa-2048.pfx', '', 'pfx_password_required'],
    ])('shows %s as %s with 422, re-renders the empty form and counts the attempt', async (_what, file, password, code) => {
      const token = await link('key_upload', 'ops-prod');
      const res = await client.complete(token, { keyfile: pfxPart(file), password });
      expect(res.status).toBe(422);
      expect(shownCode(res)).toBe(code);
      expect(res.text).toMatch(/name="keyfile" type="file"/);
      expect(res.csrf).toBeTruthy();
      expect(res.text).toContain('4 attempts left on this link');
      if (password) expect(res.text).not.toContain(password);
      expect((await status('ops-prod')).keyMode).toBe('service');
    });

    it('refuses a key file over 64 KiB (inside the 128 KiB body cap) with keyfile_malformed, and a missing file with invalid_input', async () => {
      const token = await link('key_upload', 'ops-prod');
      const big = await client.complete(token, { keyfile: { file: Buffer.alloc(100 * 1024, 0x30), name: 'big.pfx' }, password: WRONG_PASSWORD });
      expect(big.status).toBe(422);
      expect(shownCode(big)).toBe('keyfile_malformed');
      const none = await client.complete(token, { password: WRONG_PASSWORD });
      expect(none.status).toBe(422);
      expect(shownCode(none)).toBe('invalid_input');
      expect(none.text).not.toContain('attempts left');
      // The big file counted, the missing one did not: this wrong password is the second failure.
      expect((await client.complete(token, { keyfile: pfxPart('rsa-2048.pfx'), password: WRONG_PASSWORD })).text).toContain('3 attempts left');
    });

    it('closes the link after five failed attempts: the fifth says so, then GET and a correct POST answer 410', async () => {
      const token = await link('key_upload', 'ops-prod');
      const page = await client.open(token);
      let res: PageResponse | null = null;
      for (let i = 1; i <= 5; i++) {
        res = await client.submit(token, { keyfile: pfxPart('rsa-2048.pfx'), password: `${WRONG_PASSWORD}-${i}` }, { cookie: page.cookie, csrf: page.csrf });
        expect(res.status).toBe(422);
        expect(shownCode(res)).toBe('pfx_bad_password');
      }
      expect(res!.text).toContain('This link is closed');
      expect(res!.text).not.toMatch(/<form/);
      const get = await client.open(token);
      expect(get.status).toBe(410);
      expect(shownCode(get)).toBe('page_link_used');
      const right = await client.submit(token, { keyfile: pfxPart('rsa-2048.pfx'), password: FIXTURE_PASSWORD }, { cookie: page.cookie, csrf: page.csrf });
      expect(right.status).toBe(410);
      expect((await status('ops-prod')).keyMode).toBe('service');
    });

    it('answers a state conflict with 409 and the form: a key change that landed after the link was issued', async () => {
      const token = await link('key_upload', 'race-prod');
      await engine.changeKey(bob, 'race-prod', { kind: 'upload', upload: { file: fixture('rsa-3072.pfx'), password: FIXTURE_PASSWORD } });
      const res = await client.complete(token, { keyfile: pfxPart('rsa-2048.pfx'), password: FIXTURE_PASSWORD });
      expect(res.status).toBe(409);
      expect(shownCode(res)).toBe('change_pending');
      expect(res.text).not.toContain('attempts left');
      const [pending] = await pendingOf('race-prod');
      await engine.decide(ann, pending!.id, 'rollback');
    });

    it('runs a doubly submitted link once: one result, the other refused, one request opened', async () => {
      const token = await link('key_upload', 'race-prod');
      const page = await client.open(token);
      const submit = () => client.submit(token, { keyfile: pfxPart('rsa-4096.pfx'), password: FIXTURE_PASSWORD }, { cookie: page.cookie, csrf: page.csrf });
      const results = await Promise.all([submit(), submit(), submit()]);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      for (const r of results.filter((x) => x.status !== 200)) {
        expect([409, 410]).toContain(r.status);
        expect(['operation_in_progress', 'change_pending', 'page_link_used']).toContain(shownCode(r));
      }
      expect(await pendingOf('race-prod')).toHaveLength(1);
      expect((await client.open(token)).status).toBe(410);
    });
  });

  describe('links', () => {
    it('answers an unknown or malformed token with 404 page_link_invalid, as a page without a stack', async () => {
      for (const token of ['A'.repeat(43), 'not-a-token', '%3Cscript%3E']) {
        const res = await client.open(token);
        expect(res.status).toBe(404);
        expect(shownCode(res)).toBe('page_link_invalid');
        expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
        expect(res.text).not.toContain('<script>');
      }
    });

    it('expires after 10 minutes: still open at 9, 410 page_link_expired at 10 (GET and POST)', async () => {
      const token = await link('key_new', 'web-prod');
      const page = await client.open(token);
      clock.advanceMs(9 * 60_000);
      expect((await client.open(token)).status).toBe(200);
      clock.advanceMs(60_000);
      const get = await client.open(token);
      expect(get.status).toBe(410);
      expect(shownCode(get)).toBe('page_link_expired');
      const post = await client.submit(token, { password: NEW_PASSWORD, password2: NEW_PASSWORD }, { cookie: page.cookie, csrf: page.csrf });
      expect(post.status).toBe(410);
      expect(shownCode(post)).toBe('page_link_expired');
      expect((await status('web-prod')).keyMode).toBe('service');
    });

    it('belongs to its admin: bob\'s link runs as bob whoever holds the browser', async () => {
      const token = await link('key_new', 'web-prod', bob);
      const page = await client.open(token);
      expect(page.text).toContain('Bob &lt;bob@example.com&gt;');
      expect((await client.complete(token, { password: NEW_PASSWORD, password2: NEW_PASSWORD })).status).toBe(200);
      expect((await pendingOf('web-prod'))[0]).toMatchObject({ requestedBy: bob.admin.id, requesterEmail: 'bob@example.com' });
      const [pending] = await pendingOf('web-prod');
      await engine.decide(ann, pending!.id, 'rollback');
    });
  });

  describe('CSRF and cross-site posts', () => {
    const good = () => ({ keyfile: pfxPart('rsa-2048.pfx'), password: WRONG_PASSWORD });

    it('sets a path-scoped HttpOnly SameSite=Strict cookie and embeds the same value in the form', async () => {
      const token = await link('key_upload', 'ops-prod');
      const page = await client.open(token);
      const cookie = page.headers.getSetCookie().find((c) => c.startsWith('dualkey-csrf='))!;
      expect(cookie).toMatch(new RegExp(`^dualkey-csrf=[A-Za-z0-9_-]{43}; Path=/pages/${token}; Max-Age=600; HttpOnly; SameSite=Strict$`));
      expect(page.cookie).toBe(`dualkey-csrf=${page.csrf}`);
      // A reload keeps the browser's value, so a second tab does not break the first.
      expect((await client.open(token, '', { cookie: page.cookie! })).csrf).toBe(page.csrf);
    });

    it('refuses with 403 a post without the cookie, with a mismatched field, or from another site — and neither uses nor counts the link', async () => {
      const token = await link('key_upload', 'ops-prod');
      const page = await client.open(token);
      const other = (await client.open(await link('key_upload', 'ops-prod'))).csrf!;
      const cases: Array<[PageResponse, string]> = [
        [await client.submit(token, good(), { cookie: null, csrf: page.csrf }), 'csrf_failed'],
        [await client.submit(token, good(), { cookie: page.cookie, csrf: null }), 'csrf_failed'],
        [await client.submit(token, good(), { cookie: page.cookie, csrf: other }), 'csrf_failed'],
        [await client.submit(token, good(), { cookie: `dualkey-csrf=${other}`, csrf: other.slice(0, 42) + (other.endsWith('A') ? 'B' : 'A') }), 'csrf_failed'],
        [await client.submit(token, good(), { cookie: page.cookie, csrf: page.csrf, headers: { origin: 'https://evil.example' } }), 'cross_site_request'],
        [await client.submit(token, good(), { cookie: page.cookie, csrf: page.csrf, headers: { origin: 'null' } }), 'cross_site_request'],
        [await client.submit(token, good(), { cookie: page.cookie, csrf: page.csrf, headers: { 'sec-fetch-site': 'cross-site' } }), 'cross_site_request'],
        [await client.submit(token, good(), { cookie: page.cookie, csrf: page.csrf, headers: { 'sec-fetch-site': 'same-site' } }), 'cross_site_request'],
      ];
      for (const [res, code] of cases) {
        expect(res.status).toBe(403);
        expect(shownCode(res)).toBe(code);
      }
      // Still open and uncounted: the real form post gets to the key check (and is its first failure).
      const real = await client.submit(token, good(), { cookie: page.cookie, csrf: page.csrf, headers: { origin: server.url, 'sec-fetch-site': 'same-origin' } });
      expect(real.status).toBe(422);
      expect(real.text).toContain('4 attempts left');
    });

    it('refuses an oversized body with 413 and a non-form body with 415', async () => {
      const token = await link('key_upload', 'ops-prod');
      const page = await client.open(token);
      const big = await client.submit(token, { keyfile: { file: Buffer.alloc(200 * 1024, 1), name: 'big.pfx' }, password: WRONG_PASSWORD }, { cookie: page.cookie, csrf: page.csrf });
      expect(big.status).toBe(413);
      expect(shownCode(big)).toBe('body_too_large');
      const json = await client.raw('POST', token, { headers: { 'content-type': 'application/json', cookie: page.cookie! }, body: JSON.stringify({ password: WRONG_PASSWORD }) });
      expect(json.status).toBe(415);
      expect((await client.open(token)).status).toBe(200);
    });
  });

  describe('escaping and headers', () => {
    it('escapes an admin display name with <script>', async () => {
      const request = await engine.requestAdminChange(ann, { operation: 'admin_add', email: 'eve@example.com', name: 'Eve <script>alert(1)</script>', role: 'system_admin', instances: ['esc-prod'], identities: [] });
      await engine.decide(bob, request.id, 'approve');
      const eve: Actor = { admin: await engine.adminByEmail(tenantId, 'eve@example.com'), transport: 'teams' };
      const token = await link('key_upload', 'esc-prod', eve);
      const page = await client.open(token);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Eve &lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page.text).not.toContain('<script>');
      const refused = await client.complete(token, { keyfile: pfxPart('ec-p256.pfx'), password: FIXTURE_PASSWORD });
      expect(refused.text).toContain('Eve &lt;script&gt;');
      expect(refused.text).not.toContain('<script>');
    });

    it('sent every security header and Cache-Control: no-store on every response of the pages', () => {
      const pages = client.responses;
      expect(pages.length).toBeGreaterThan(40);
      expect([...new Set(pages.map((r) => r.status))]).toEqual(expect.arrayContaining([200, 403, 404, 409, 410, 413, 415, 422]));
      for (const r of pages) {
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(r.headers.get(name), `${name} on ${r.method} ${r.path} → ${r.status}`).toBe(value);
      }
    });

    it('never returned a typed password in any response, nor wrote one to the log', () => {
      for (const r of client.responses) for (const pw of TYPED) expect(r.bytes.includes(Buffer.from(pw)), `${r.method} ${r.path} → ${r.status}`).toBe(false);
      const log = logger.lines.join('\n');
      for (const pw of TYPED) expect(log).not.toContain(pw);
    });
  });

  describe('PUBLIC_URL', () => {
    it.each(['http://dualkey.example.com', 'http://10.0.0.5:3000', 'ftp://localhost'])('refuses to mount the pages on %s with a start-up error naming PUBLIC_URL', (url) => {
      // A configuration that bypassed loadConfig's own check (which refuses the http ones too) still cannot mount the pages.
      const config = { ...loadConfig({ PORT: '0' }), PUBLIC_URL: url };
      expect(() => pageRoutes(engine, config)).toThrow(ConfigError);
      expect(() => pageRoutes(engine, config)).toThrow(/PUBLIC_URL must be an https:\/\/ URL/);
      if (url.startsWith('http:')) expect(() => loadConfig({ PUBLIC_URL: url })).toThrow(/PUBLIC_URL/);
    });

    it.each(['https://dualkey.example.com', 'http://localhost:3000', 'http://127.0.0.1', 'http://[::1]:8080'])('mounts the pages on %s', (url) => {
      expect(pageRoutes(engine, loadConfig({ PUBLIC_URL: url, PORT: '0' })).map((r) => r.name)).toEqual(['pages.form', 'pages.submit', 'pages.kek']);
    });

    it('behind https: a __Secure- cookie scoped to the public path, posts accepted from PUBLIC_URL\'s origin only', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'dualkey-e2e-pages-https-'));
      // A second server of the same deployment on this host: it shares the first one's key directory.
      const https = await startServer(loadConfig({ DUALKEY_DATA_DIR: dir, DUALKEY_VAULT_KEY_DIR: path.join(dataDir, 'keys'), PORT: '0', PUBLIC_URL: 'https://keys.example.com/dualkey/' }), { database: db.database, clock, logger, startScheduler: false });
      try {
        const secure = new PagesClient(https.url);
        const token = await link('key_upload', 'ops-prod');
        const page = await secure.open(token);
        const cookie = page.headers.getSetCookie()[0]!;
        expect(cookie).toMatch(new RegExp(`^__Secure-dualkey-csrf=[A-Za-z0-9_-]{43}; Path=/dualkey/pages/${token}; Max-Age=600; HttpOnly; SameSite=Strict; Secure$`));
        const fields = { keyfile: pfxPart('rsa-2048.pfx'), password: WRONG_PASSWORD };
        const from = (origin: string) => secure.submit(token, fields, { cookie: page.cookie, csrf: page.csrf, headers: { origin } });
        expect((await from('http://keys.example.com')).status).toBe(403);
        expect((await from(https.url)).status).toBe(403); // plain http, though the Host matches
        const ok = await from('https://keys.example.com');
        expect(ok.status).toBe(422);
        expect(shownCode(ok)).toBe('pfx_bad_password');
        for (const r of secure.responses) expect(r.headers.get('cache-control')).toBe('no-store');
      } finally {
        await https.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

/** PKCS#8 DER of the fixture's second RSA 2048 key, read from its PFX (the BYOK target). */
function otherKeyPkcs8(): Buffer {
  return parsePfx(fixture('rsa-2048-other.pfx'), FIXTURE_PASSWORD).privateKeyPkcs8;
}
