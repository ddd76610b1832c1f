import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../core/engine.js';
import type { Admin } from '../../core/model/admin.js';
import { loadConfig } from '../../bot/runtime/config.js';
import { startServer, type RunningServer } from '../../bot/start-server.js';
import { launchChromium } from '../support/chromium.js';
import { MemoryLogger } from '../support/engine-harness.js';
import { freePort } from '../support/free-port.js';
import { TestClock } from '../support/test-clock.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { engineIndependentSkip } from '../support/test-engine.js';

/**
 * Passkeys in real Chromium with its virtual authenticator (CDP WebAuthn domain, user verification on): the
 * console's Passkeys page registers one through @simplewebauthn/browser served by the console itself.
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
  let bob: Admin;
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
    await engine.addAdmin(tenant.id, { email: 'ann@example.com', name: 'Ann', role: 'global_admin', instances: [], identities: [] });
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
});
