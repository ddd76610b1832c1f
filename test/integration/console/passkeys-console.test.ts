import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../core/engine.js';
import type { Admin } from '../../../core/model/admin.js';
import { loadConfig } from '../../../bot/runtime/config.js';
import { startServer, type RunningServer } from '../../../bot/start-server.js';
import { ceremonyOptions, ConsoleClient, consoleCode } from '../../support/console-client.js';
import { MemoryLogger } from '../../support/engine-harness.js';
import { freePort } from '../../support/free-port.js';
import { SoftAuthenticator } from '../../support/soft-authenticator.js';
import { TestClock } from '../../support/test-clock.js';
import { createTestDatabase, testEngine, type TestDatabase } from '../../support/test-database.js';

/** The console's Passkeys page over real HTTP, with a software authenticator: register, rename, revoke, and what is refused. */
describe(`console passkeys over HTTP (${testEngine})`, () => {
  let db: TestDatabase;
  let dataDir: string;
  let server: RunningServer;
  let engine: Engine;
  let base: string;
  const clock = new TestClock();
  let ann: Admin;
  let bob: Admin;
  const signedIn = async (admin: Admin) => {
    const c = new ConsoleClient(base);
    expect((await c.signIn((await engine.issueSignInLink(admin, 'slack')).token)).status).toBe(303);
    await c.get('/console/passkeys');
    return c;
  };
  const register = async (c: ConsoleClient, auth: SoftAuthenticator, name: string) => {
    const begun = await c.post('/console/passkeys', { op: 'begin', name });
    return c.post('/console/passkeys', { op: 'finish', name, response: JSON.stringify(auth.register(ceremonyOptions(begun))) });
  };
  const inboxTitles = async (admin: Admin) => (await engine.console.inbox(admin, 50, 0)).entries.map((e) => e.message.title);

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'dualkey-passkeys-'));
    const port = await freePort();
    base = `http://localhost:${port}`;
    server = await startServer(loadConfig({ DUALKEY_DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: base }), { database: db.database, clock, logger: new MemoryLogger(), startScheduler: false });
    engine = server.runtime.engine;
    const acme = await engine.createTenant('acme', { selfManagedKeys: true });
    ann = await engine.addAdmin(acme.id, { email: 'ann@example.com', name: 'Ann', role: 'global_admin', instances: [], identities: [] });
    bob = await engine.addAdmin(acme.id, { email: 'bob@example.com', name: 'Bob', role: 'global_admin', instances: [], identities: [] });
  });
  afterAll(async () => {
    await server?.close();
    await db?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves @simplewebauthn/browser and the ceremony script from the console itself', async () => {
    const c = new ConsoleClient(base);
    const lib = await c.get('/console/webauthn-browser.js');
    expect(lib.status).toBe(200);
    expect(lib.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(lib.text).toContain('SimpleWebAuthnBrowser');
    expect((await c.get('/console/passkey-ceremony.js')).text).toContain('startRegistration');
  });

  it('registers a passkey with user verification: listed, audited, and alerted to every admin as the first one', async () => {
    const c = await signedIn(ann);
    expect(c.responses.at(-1)!.text).toContain('You have no passkeys.');
    const begun = await c.post('/console/passkeys', { op: 'begin', name: 'laptop' });
    expect(begun.status).toBe(200);
    // Only the ceremony pages may run scripts, and only the console's own.
    expect(begun.headers.get('content-security-policy')).toContain("script-src 'self'");
    const options = ceremonyOptions(begun);
    expect(options.rp.id).toBe('localhost');
    expect(options.authenticatorSelection?.userVerification).toBe('required');
    const auth = new SoftAuthenticator(base);
    const done = await c.post('/console/passkeys', { op: 'finish', name: 'laptop', response: JSON.stringify(auth.register(options)) });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/console/passkeys?done=passkey_register');
    const page = await c.get('/console/passkeys');
    expect(page.text).toContain('laptop');
    expect(page.text).toContain(auth.credentialId.toString('base64url').slice(0, 16));
    const stored = await engine.listPasskeys(ann.id);
    expect(stored.map((p) => p.credentialId)).toEqual([auth.credentialId.toString('base64url')]);
    for (const admin of [ann, bob]) expect(await inboxTitles(admin)).toContain('ann@example.com registered their first passkey: "laptop"');
    const audit = await engine.listAudit({ tenantId: ann.tenantId }, 20);
    expect(audit.find((e) => e.action === 'passkey_register' && e.result === 'ok')?.details).toMatchObject({ credentialId: stored[0]!.credentialId, first: true });
  });

  it('refuses a replayed registration, an expired challenge and an authenticator without user verification', async () => {
    const c = await signedIn(ann);
    const begun = await c.post('/console/passkeys', { op: 'begin', name: 'key' });
    const response = JSON.stringify(new SoftAuthenticator(base).register(ceremonyOptions(begun)));
    expect((await c.post('/console/passkeys', { op: 'finish', name: 'key', response })).status).toBe(303);
    const replay = await c.post('/console/passkeys', { op: 'finish', name: 'key', response });
    expect(replay.status).toBe(400);
    expect(consoleCode(replay)).toBe('passkey_registration_failed');

    const late = await c.post('/console/passkeys', { op: 'begin', name: 'late' });
    clock.advanceHours(6 / 60);
    const expired = await c.post('/console/passkeys', { op: 'finish', name: 'late', response: JSON.stringify(new SoftAuthenticator(base).register(ceremonyOptions(late))) });
    expect(consoleCode(expired)).toBe('passkey_registration_failed');
    expect(expired.text).toContain('expired');

    const noUv = await register(c, new SoftAuthenticator(base, false), 'no-uv');
    expect(consoleCode(noUv)).toBe('passkey_registration_failed');
    expect(consoleCode(await c.post('/console/passkeys', { op: 'finish', name: 'x', response: 'not json' }))).toBe('passkey_registration_failed');
    expect((await engine.listPasskeys(ann.id)).map((p) => p.name).sort()).toEqual(['key', 'laptop']);
  });

  it('a response for another admin\'s challenge is refused', async () => {
    const a = await signedIn(ann);
    const b = await signedIn(bob);
    const begunByAnn = await a.post('/console/passkeys', { op: 'begin', name: 'ann2' });
    const stolen = await b.post('/console/passkeys', { op: 'finish', name: 'bob', response: JSON.stringify(new SoftAuthenticator(base).register(ceremonyOptions(begunByAnn))) });
    expect(consoleCode(stolen)).toBe('passkey_registration_failed');
    expect(await engine.listPasskeys(bob.id)).toEqual([]);
  });

  it('renames and revokes; another admin cannot rename it; revoking is alerted to every admin', async () => {
    const c = await signedIn(ann);
    const laptop = (await engine.listPasskeys(ann.id)).find((p) => p.name === 'laptop')!;
    expect((await c.post('/console/passkeys', { op: 'rename', id: laptop.id, name: 'work laptop' })).status).toBe(303);
    expect((await c.get('/console/passkeys?done=passkey_rename')).text).toContain('work laptop');
    const b = await signedIn(bob);
    const foreign = await b.post('/console/passkeys', { op: 'rename', id: laptop.id, name: 'mine' });
    expect(consoleCode(foreign)).toBe('passkey_not_found');
    expect((await c.post('/console/passkeys', { op: 'revoke', id: laptop.id })).status).toBe(303);
    expect((await engine.listPasskeys(ann.id)).find((p) => p.id === laptop.id)?.revokedAt).toBeInstanceOf(Date);
    for (const admin of [ann, bob]) expect(await inboxTitles(admin)).toContain('ann@example.com had a passkey revoked: "work laptop"');
    expect(consoleCode(await c.post('/console/passkeys', { op: 'rename', id: 'nope', name: 'x' }))).toBe('passkey_not_found');
  });
});
