import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../core/engine.js';
import type { Actor } from '../../core/model/actor.js';
import type { Admin } from '../../core/model/admin.js';
import { nodeCronSchedule } from '../../bot/runtime/node-cron-schedule.js';
import { loadConfig } from '../../bot/runtime/config.js';
import { startServer, type RunningServer } from '../../bot/start-server.js';
import { launchChromium } from '../support/chromium.js';
import { MemoryLogger } from '../support/engine-harness.js';
import { freePort } from '../support/free-port.js';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';
import { TestClock } from '../support/test-clock.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { engineIndependentSkip } from '../support/test-engine.js';

/**
 * Passkeys in real Chromium with its virtual authenticator (CDP WebAuthn domain, user verification on): the
 * console's Passkeys page registers one through @simplewebauthn/browser served by the console itself; with step-up
 * on, Bob approves Ann's lock only with it, and the approval without it, with another request's assertion, or replayed is refused.
 */
describe.skipIf(engineIndependentSkip)('passkeys in a browser', () => {
  let db: TestDatabase;
  let dataDir: string;
  let server: RunningServer;
  let engine: Engine;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let base: string;
  let authenticatorId = '';
  const clock = new TestClock();
  let ann: Admin;
  let bob: Admin;
  let tenantId = '';
  const url = (p: string) => `${base}${p}`;
  /** Serious or critical axe violations of the page. */
  const axe = async (p: Page) => (await new AxeBuilder({ page: p }).analyze()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${p.url()}: ${v.id}`);

  async function signIn(p: Page, admin: Admin) {
    const { token } = await engine.issueSignInLink(admin, 'slack');
    await p.goto(url(`/console/sign-in/${token}`));
    await Promise.all([p.waitForNavigation(), p.getByRole('button', { name: 'Sign in' }).click()]);
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'dualkey-e2e-passkeys-'));
    const port = await freePort();
    // WebAuthn needs a host name as relying party id (never an IP address): localhost, as PUBLIC_URL says.
    base = `http://localhost:${port}`;
    server = await startServer(loadConfig({ DUALKEY_DATA_DIR: dataDir, PORT: String(port), PUBLIC_URL: base }), { database: db.database, clock, logger: new MemoryLogger(), startScheduler: false });
    engine = server.runtime.engine;
    const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
    tenantId = tenant.id;
    ann = await engine.addAdmin(tenant.id, { email: 'ann@example.com', name: 'Ann', role: 'global_admin', instances: [], identities: [] });
    bob = await engine.addAdmin(tenant.id, { email: 'bob@example.com', name: 'Bob', role: 'global_admin', instances: [], identities: [] });
    clock.advanceHours(1 / 60);
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true } }));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('Bob registers a passkey named "laptop" through the Passkeys page; the virtual authenticator holds it', async () => {
    await signIn(page, bob);
    await page.goto(url('/console/passkeys'));
    expect(await page.locator('main').innerText()).toContain('You have no passkeys.');
    await page.locator('#name').fill('laptop');
    expect(await axe(page)).toEqual([]);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForLoadState();
    expect(await axe(page)).toEqual([]);
    await page.getByRole('button', { name: 'Create the passkey' }).click();
    await page.waitForURL(/done=passkey_register/);
    expect(await page.getByRole('status').first().innerText()).toContain('Passkey registered');
    expect(await page.locator('main table').innerText()).toContain('laptop');
    const [stored] = await engine.listPasskeys(bob.id);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials.map((c) => Buffer.from(c.credentialId, 'base64').toString('base64url'))).toEqual([stored!.credentialId]);
  });

  const web = (admin: Admin): Actor => ({ admin, transport: 'web' });
  const upload = () => ({ file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD });
  const code = async () => /Refused \(([a-z_]+)\)/.exec(await page.getByRole('alert').first().innerText())?.[1] ?? null;
  /** Posts a form from the page as the console would (same origin, the session's form token). */
  async function postForm(action: string, fields: Record<string, string>) {
    // Evaluated as source text: the test's TypeScript has no DOM types.
    const script = `(() => { const f = document.createElement('form'); f.method = 'post'; f.action = ${JSON.stringify(action)};
      for (const [k, v] of Object.entries(${JSON.stringify(fields)})) { const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i); }
      document.body.appendChild(f); f.submit(); })()`;
    await Promise.all([page.waitForNavigation(), page.evaluate(script)]);
  }
  /** On a step-up page: a user-verified assertion from the virtual authenticator for that page's challenge, without submitting it. */
  const assertionHere = () => page.evaluate<string>(`SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: JSON.parse(document.getElementById('webauthn-options').textContent) }).then((r) => JSON.stringify(r))`);
  const csrf = () => page.locator('input[name=csrf]').first().inputValue();
  let lockId = '';
  let rosterId = '';

  it('with step-up on, Bob\'s approval of Ann\'s lock without a passkey assertion is refused with step_up_required and asks for the passkey', async () => {
    await engine.createInstance(tenantId, 'crm-prod');
    const change = await engine.changeKey(web(ann), 'crm-prod', { kind: 'upload', upload: upload() });
    await engine.decide(web(bob), change.request.id, 'approve');
    clock.advanceHours(73);
    lockId = (await engine.requestLock(web(ann), 'crm-prod', { confirm: 'crm-prod', upload: upload() })).id;
    rosterId = (await engine.requestAdminChange(web(ann), { operation: 'admin_add', email: 'cat@example.com', name: 'Cat', role: 'service_admin', instances: [], identities: [] })).id;
    // Turning step-up on strengthens protection: it applies at once.
    await engine.updateTenantSettings(tenantId, { stepUp: ['approve_lock', 'approve_roster'] }, nodeCronSchedule());
    await signIn(page, bob);
    await page.goto(url(`/console/requests/${lockId}`));
    // Only the covered decision is named: rejecting a lock never needs the passkey.
    expect(await page.locator('p.notice').innerText()).toContain('This tenant requires your passkey to Approve lock: have it at hand');
    await page.getByRole('button', { name: 'Approve lock…' }).click();
    await page.waitForLoadState();
    await page.getByRole('button', { name: 'Yes: Approve lock' }).click();
    await page.waitForLoadState();
    expect(await code()).toBe('step_up_required');
    expect(await page.locator('h1').innerText()).toBe(`Approve lock: ${lockId}`);
    expect(await axe(page)).toEqual([]);
    expect((await engine.console.request(bob, lockId)).state).toBe('pending');
  });

  it('an assertion made for another request (Ann\'s roster change) does not approve the lock: step_up_invalid', async () => {
    await page.goto(url(`/console/requests/${rosterId}`));
    await page.getByRole('button', { name: 'Approve…' }).click();
    await page.waitForLoadState();
    await page.getByRole('button', { name: 'Yes: Approve' }).click();
    await page.waitForLoadState();
    expect(await code()).toBe('step_up_required');
    const forRoster = await assertionHere();
    await postForm(`/console/requests/${lockId}`, { csrf: await csrf(), decision: 'approve', confirmed: 'yes', reason: '', response: forRoster });
    expect(await code()).toBe('step_up_invalid');
    expect((await engine.console.request(bob, lockId)).state).toBe('pending');
  });

  it('Bob confirms with his passkey: the lock is approved, and the audit entry names the credential', async () => {
    // The previous page is the lock's step-up page again (a refused assertion asks anew).
    let posted = '';
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith(`/console/requests/${lockId}`) && (r.postData() ?? '').includes('response=')) posted = r.postData() ?? '';
    });
    await page.getByRole('button', { name: 'Confirm with your passkey: Approve lock' }).click();
    await page.waitForURL(/done=approve/);
    expect(await page.locator('h1').innerText()).toContain('approved');
    const [passkey] = await engine.listPasskeys(bob.id);
    expect(passkey!.lastUsedAt).toEqual(clock.now());
    const entry = (await engine.listAudit({ tenantId }, 50)).find((e) => e.action === 'approve' && e.requestId === lockId && e.result === 'ok');
    expect(entry?.details).toMatchObject({ outcome: 'lock_approved', stepUp: true, stepUpCredential: passkey!.credentialId });
    expect(posted).toContain('response=');
    replayBody = posted;
  });
  let replayBody = '';

  it('replaying that exact approval is refused with step_up_invalid', async () => {
    const fields = Object.fromEntries(new URLSearchParams(replayBody));
    await page.goto(url(`/console/requests/${lockId}`));
    await postForm(`/console/requests/${lockId}`, fields);
    expect(await code()).toBe('step_up_invalid');
    const refused = (await engine.listAudit({ tenantId }, 50)).filter((e) => e.requestId === lockId && e.code === 'step_up_invalid');
    expect(refused.map((e) => e.details.reason)).toEqual(expect.arrayContaining(['replayed', 'other_purpose']));
  });

  it('with step-up on for unlock, the unlock page refuses without the passkey and unlocks after it confirms', async () => {
    await engine.updateTenantSettings(tenantId, { stepUp: ['approve_lock', 'approve_roster', 'unlock'] }, nodeCronSchedule());
    const { token } = await engine.issuePageLink(web(bob), 'unlock', 'crm-prod');
    await page.goto(url(`/pages/${token}`));
    expect(await axe(page)).toEqual([]);
    await page.locator('#keyfile').setInputFiles({ name: 'rsa-2048.pfx', mimeType: 'application/x-pkcs12', buffer: fixture('rsa-2048.pfx') });
    await page.locator('#password').fill(FIXTURE_PASSWORD);
    await page.getByRole('button', { name: 'Unlock crm-prod' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('alert').innerText()).toContain('step_up_required');
    await page.getByRole('button', { name: 'Confirm with your passkey' }).click();
    await page.getByText('Passkey confirmed').waitFor();
    await page.locator('#keyfile').setInputFiles({ name: 'rsa-2048.pfx', mimeType: 'application/x-pkcs12', buffer: fixture('rsa-2048.pfx') });
    await page.locator('#password').fill(FIXTURE_PASSWORD);
    await page.getByRole('button', { name: 'Unlock crm-prod' }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').innerText()).toBe('crm-prod is unlocked');
    const [passkey] = await engine.listPasskeys(bob.id);
    const entry = (await engine.listAudit({ tenantId }, 50)).find((e) => e.action === 'unlock' && e.result === 'ok');
    expect(entry?.details).toMatchObject({ stepUp: true, stepUpCredential: passkey!.credentialId });
  });
});
