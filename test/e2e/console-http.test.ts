import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../core/engine.js';
import type { Admin } from '../../core/model/admin.js';
import { loadConfig } from '../../bot/runtime/config.js';
import { startServer, type RunningServer } from '../../bot/start-server.js';
import { ConsoleClient, consoleCode } from '../support/console-client.js';
import { MemoryLogger } from '../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';
import { TestClock } from '../support/test-clock.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};
const PAGES = ['/console/', '/console/instances/crm-prod', '/console/requests', '/console/inbox', '/console/audit', '/console/admins', '/console/settings'];

/** The web console over real HTTP with no SMTP and no chat configured: sign-in, sessions, tenant isolation, CSRF, headers, the inbox. */
describe('web console over HTTP', () => {
  let db: TestDatabase;
  let dataDir: string;
  let server: RunningServer;
  let engine: Engine;
  const clock = new TestClock();
  let ann: Admin;
  let bob: Admin;
  let eve: Admin;
  let requestId: string;
  const clients: ConsoleClient[] = [];
  const client = () => {
    const c = new ConsoleClient(server.url);
    clients.push(c);
    return c;
  };
  const signedIn = async (admin: Admin) => {
    const c = client();
    const r = await c.signIn((await engine.issueSignInLink(admin, 'slack')).token);
    expect(r.status).toBe(303);
    return c;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'dualkey-e2e-console-'));
    server = await startServer(loadConfig({ DUALKEY_DATA_DIR: dataDir, PORT: '0', DUALKEY_DEV_IMPERSONATION: 'true' }), { database: db.database, clock, logger: new MemoryLogger(), startScheduler: false });
    engine = server.runtime.engine;
    const acme = await engine.createTenant('acme', { selfManagedKeys: true });
    const add = (tenantId: string, email: string, name: string) => engine.addAdmin(tenantId, { email, name, role: 'global_admin', instances: [], identities: [] });
    ann = await add(acme.id, 'ann@example.com', 'Ann');
    bob = await engine.addAdmin(acme.id, { email: 'bob@example.com', name: 'Bob', role: 'global_admin', instances: [], identities: [{ platform: 'slack', workspace: 'T0ACME', userId: 'U0BOB' }] });
    await engine.createInstance(acme.id, 'crm-prod');
    const other = await engine.createTenant('other', { selfManagedKeys: true });
    eve = await add(other.id, 'eve@example.org', 'Eve');
    await engine.createInstance(other.id, 'eve-prod');
    clock.advanceHours(1 / 60);
    requestId = (await engine.changeKey({ admin: ann, transport: 'cli', impersonatedBy: 'operator' }, 'crm-prod', { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } })).request.id;
  });

  afterAll(async () => {
    await server?.close();
    await db?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('a newcomer opening / is sent to the console, which asks for a sign-in link and shows nothing of any tenant', async () => {
    const c = client();
    const root = await c.get('/');
    expect(root.status).toBe(303);
    expect(root.headers.get('location')).toBe('/console/');
    for (const p of [...PAGES, `/console/requests/${requestId}`]) {
      const r = await c.get(p);
      expect(r.status, p).toBe(401);
      expect(r.text).toContain('/dualkey console');
      // Only the visitor's own URL comes back (the "continue" link); no data of any tenant.
      expect(r.text).not.toMatch(/ann@example.com|bob@example.com|sha256:|Key changed|Encryption Key/);
    }
    const post = await c.post('/console/requests/' + requestId, { decision: 'approve' }, { csrf: 'x'.repeat(43) });
    expect(post.status).toBe(401);
    expect((await engine.console.request(bob, requestId)).state).toBe('pending');
  });

  it('a sign-in link shows whom it signs in without using it, then works once: HttpOnly, SameSite=Strict session cookie (not Secure on localhost)', async () => {
    const { token } = await engine.issueSignInLink(bob, 'slack');
    const c = client();
    const page = await c.get(`/console/sign-in/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sign in as Bob');
    const first = await c.signIn(token);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/console/');
    expect(c.setCookie).toMatch(/^dualkey-session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    const again = client();
    const second = await again.signIn(token);
    expect(second.status).toBe(410);
    expect(consoleCode(second)).toBe('sign_in_link_used');
    expect(again.cookie).toBeNull();
    expect((await c.get('/console/')).status).toBe(200);
  });

  it('refuses expired, unknown and malformed sign-in links', async () => {
    const { token } = await engine.issueSignInLink(bob, 'teams');
    clock.advanceMs(10 * 60_000);
    const expired = await client().signIn(token);
    expect([expired.status, consoleCode(expired)]).toEqual([410, 'sign_in_link_expired']);
    const unknown = await client().signIn('A'.repeat(43));
    expect([unknown.status, consoleCode(unknown)]).toEqual([404, 'sign_in_link_invalid']);
    const malformed = await client().get('/console/sign-in/not-a-token');
    expect([malformed.status, consoleCode(malformed)]).toEqual([404, 'sign_in_link_invalid']);
  });

  it('with no SMTP and no chat, the key change is in every admin\'s inbox, with the unread count in the header', async () => {
    for (const admin of [ann, bob]) {
      const c = await signedIn(admin);
      const inbox = await c.get('/console/inbox');
      expect(inbox.status).toBe(200);
      expect(inbox.text).toContain(`Key changed on crm-prod by ann@example.com`);
      expect(inbox.text).toContain(`href="/console/requests/${requestId}"`);
      expect(inbox.text).toMatch(/<span class="count" aria-label="1 unread">1<\/span>/);
    }
  });

  it('lists each admin\'s linked chat identities with workspace and user id, so a second identity of one person stands out', async () => {
    const c = await signedIn(ann);
    const page = (await c.get('/console/admins')).text;
    expect(page).toContain('slack <code>T0ACME/U0BOB</code>');
  });

  it('a session of another tenant\'s admin sees nothing of this tenant', async () => {
    const c = await signedIn(eve);
    const list = await c.get('/console/');
    expect(list.status).toBe(200);
    expect(list.text).toContain('eve-prod');
    expect(list.text).not.toContain('crm-prod');
    const instance = await c.get('/console/instances/crm-prod');
    expect([instance.status, consoleCode(instance)]).toEqual([404, 'instance_not_found']);
    const request = await c.get(`/console/requests/${requestId}`);
    expect([request.status, consoleCode(request)]).toEqual([404, 'request_not_found']);
    const decide = await c.post(`/console/requests/${requestId}`, { decision: 'rollback', confirmed: 'yes' });
    expect([decide.status, consoleCode(decide)]).toEqual([404, 'request_not_found']);
    for (const p of ['/console/inbox', '/console/audit', '/console/admins', '/console/requests']) expect((await c.get(p)).text, p).not.toMatch(/crm-prod|ann@example.com|bob@example.com/);
    expect((await engine.console.request(bob, requestId)).state).toBe('pending');
  });

  it('refuses a post without the session\'s form token, and cross-site posts, doing nothing', async () => {
    const c = await signedIn(bob);
    await c.get(`/console/requests/${requestId}`);
    const noToken = await c.post(`/console/requests/${requestId}`, { decision: 'rollback', confirmed: 'yes' }, { csrf: null });
    expect([noToken.status, consoleCode(noToken)]).toEqual([403, 'csrf_failed']);
    const wrong = await c.post(`/console/requests/${requestId}`, { decision: 'rollback', confirmed: 'yes' }, { csrf: 'A'.repeat(43) });
    expect([wrong.status, consoleCode(wrong)]).toEqual([403, 'csrf_failed']);
    const crossOrigin = await c.post(`/console/requests/${requestId}`, { decision: 'rollback', confirmed: 'yes' }, { headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect([crossOrigin.status, consoleCode(crossOrigin)]).toEqual([403, 'cross_site_request']);
    const sameSite = await c.post(`/console/requests/${requestId}`, { decision: 'rollback', confirmed: 'yes' }, { headers: { 'sec-fetch-site': 'same-site' } });
    expect([sameSite.status, consoleCode(sameSite)]).toEqual([403, 'cross_site_request']);
    expect((await engine.console.request(bob, requestId)).state).toBe('pending');
  });

  it('sends the security headers on every page, sign-in and refusal pages included, and the stylesheet from its own origin', async () => {
    const c = await signedIn(bob);
    for (const p of PAGES) await c.get(p);
    await c.get('/console/instances/no-such');
    await client().get('/console/inbox');
    for (const r of clients.flatMap((x) => x.responses).filter((r) => r.status !== 303)) {
      for (const [k, v] of Object.entries(HEADERS)) expect(r.headers.get(k), `${r.path} ${k}`).toBe(v);
      expect(r.text).not.toMatch(/<script|style="|\son[a-z]+="/i);
    }
    const css = await fetch(`${server.url}/console/console.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('prefers-color-scheme: dark');
  });

  it('ends a session after 30 idle minutes and 12 hours after sign-in however active', async () => {
    const idle = await signedIn(bob);
    clock.advanceMs(30 * 60_000);
    expect((await idle.get('/console/')).status).toBe(401);
    const busy = await signedIn(bob);
    for (let minutes = 0; minutes < 12 * 60 - 20; minutes += 20) {
      clock.advanceMs(20 * 60_000);
      expect((await busy.get('/console/settings')).status).toBe(200);
    }
    clock.advanceMs(20 * 60_000);
    expect((await busy.get('/console/settings')).status).toBe(401);
  });

  it('signs out here, or everywhere, and ends the sessions of a removed admin', async () => {
    const one = await signedIn(bob);
    const two = await signedIn(bob);
    await one.get('/console/settings');
    expect((await one.post('/console/sign-out', {})).status).toBe(303);
    expect((await one.get('/console/')).status).toBe(401);
    expect((await two.get('/console/settings')).status).toBe(200);
    const three = await signedIn(bob);
    await two.get('/console/settings');
    expect((await two.post('/console/sign-out-everywhere', {})).status).toBe(303);
    expect((await three.get('/console/')).status).toBe(401);
    // A removed admin: carl is added and removed the two-person way while signed in.
    const addCarl = await engine.requestAdminChange({ admin: ann, transport: 'web' }, { operation: 'admin_add', email: 'carl@example.com', name: 'Carl', role: 'service_admin', instances: [], identities: [] });
    await engine.decide({ admin: bob, transport: 'web' }, addCarl.id, 'approve');
    const carl = await engine.adminByEmail(ann.tenantId, 'carl@example.com');
    const carls = await signedIn(carl);
    expect((await carls.get('/console/')).status).toBe(200);
    clock.advanceMs(60_000);
    const removeCarl = await engine.requestAdminChange({ admin: ann, transport: 'web' }, { operation: 'admin_remove', email: 'carl@example.com' });
    await engine.decide({ admin: bob, transport: 'web' }, removeCarl.id, 'approve');
    expect((await carls.get('/console/')).status).toBe(401);
  });
});
