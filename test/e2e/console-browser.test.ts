import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../core/engine.js';
import type { Admin } from '../../core/model/admin.js';
import { loadConfig } from '../../bot/runtime/config.js';
import { startServer, type RunningServer } from '../../bot/start-server.js';
import { launchChromium } from '../support/chromium.js';
import { MemoryLogger } from '../support/engine-harness.js';
import { FIXTURE_PASSWORD } from '../support/key-fixtures.js';
import { TestClock } from '../support/test-clock.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { engineIndependentSkip } from '../support/test-engine.js';

const PFX = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'keyfiles', 'rsa-2048.pfx');

/**
 * The console in real Chromium (Playwright driving Debian's /usr/bin/chromium): Ann and Bob in two browser
 * contexts play the two-person rule from upload through lock and unlock, on a server with an injected clock
 * and no SMTP or chat configured; every page passes axe with no serious or critical violation.
 */
describe.skipIf(engineIndependentSkip)('web console in a browser', () => {
  let db: TestDatabase;
  let dataDir: string;
  let server: RunningServer;
  let engine: Engine;
  let browser: Browser;
  const clock = new TestClock();
  const admins: Record<'ann' | 'bob', Admin> = {} as never;
  const contexts: Record<'ann' | 'bob', { context: BrowserContext; page: Page }> = {} as never;
  const violations: string[] = [];
  let requestId = '';

  const url = (p: string) => `${server.url}${p}`;
  const as = (who: 'ann' | 'bob') => contexts[who].page;
  /** Signs in by a one-time link from chat: open it, press "Sign in". */
  async function signIn(who: 'ann' | 'bob') {
    const { token } = await engine.issueSignInLink(admins[who], 'slack');
    const page = as(who);
    await page.goto(url(`/console/sign-in/${token}`));
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
    // After sign-in the console opens the page the admin asked for before (or the instance list).
    if (!page.url().startsWith(url('/console/')) || page.url().includes('/sign-in/')) throw new Error(`sign-in ended at ${page.url()}: ${(await page.locator('body').innerText()).slice(0, 400)}`);
  }
  async function axe(page: Page) {
    const result = await new AxeBuilder({ page }).analyze();
    for (const v of result.violations) if (v.impact === 'serious' || v.impact === 'critical') violations.push(`${page.url()}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }
  const main = (page: Page) => page.locator('main').innerText();

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'dualkey-e2e-browser-'));
    server = await startServer(loadConfig({ DUALKEY_DATA_DIR: dataDir, PORT: '0' }), { database: db.database, clock, logger: new MemoryLogger(), startScheduler: false });
    engine = server.runtime.engine;
    const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
    for (const [who, name] of [['ann', 'Ann'], ['bob', 'Bob']] as const) admins[who] = await engine.addAdmin(tenant.id, { email: `${who}@example.com`, name, role: 'global_admin', instances: [], identities: [] });
    for (const name of ['crm-prod', 'hr-prod', 'web-prod']) await engine.createInstance(tenant.id, name);
    clock.advanceHours(1 / 60);
    browser = await launchChromium();
    for (const who of ['ann', 'bob'] as const) {
      const context = await browser.newContext();
      contexts[who] = { context, page: await context.newPage() };
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('without a session the console asks for a sign-in link; both admins sign in by link', async () => {
    await as('ann').goto(url('/'));
    expect(await main(as('ann'))).toContain('/dualkey console');
    await axe(as('ann'));
    await signIn('ann');
    await signIn('bob');
    expect(await as('bob').locator('header').innerText()).toContain('Bob <bob@example.com>');
  });

  it('Ann uploads an OpenSSL-made PFX through the one-time page the instance page opens', async () => {
    const ann = as('ann');
    await ann.goto(url('/console/instances/crm-prod'));
    await axe(ann);
    await ann.getByRole('button', { name: 'Upload key' }).click();
    await ann.waitForURL(/\/pages\/[A-Za-z0-9_-]{43}$/);
    await ann.locator('#keyfile').setInputFiles(PFX);
    await ann.locator('#password').fill(FIXTURE_PASSWORD);
    await ann.getByRole('button', { name: 'Upload the key' }).click();
    await ann.waitForLoadState();
    expect(await ann.locator('h1').innerText()).toBe('crm-prod is now protected by your key');
    requestId = /r-[a-z0-9]{10}/.exec(await ann.locator('main').innerText())![0];
  });

  it('Bob sees it in his inbox (unread count in the header) and on Requests', async () => {
    const bob = as('bob');
    await bob.goto(url('/console/inbox'));
    expect(await bob.locator('nav').innerText()).toMatch(/Inbox\s*1/);
    expect(await main(bob)).toContain('Key changed on crm-prod by ann@example.com');
    await axe(bob);
    await bob.goto(url('/console/requests'));
    expect(await main(bob)).toContain(requestId);
    await axe(bob);
  });

  it('Ann\'s own Approve is refused on the page; Bob approves; both see the final state after one reload', async () => {
    const ann = as('ann');
    await ann.goto(url(`/console/requests/${requestId}`));
    await ann.getByRole('button', { name: 'Approve', exact: true }).click();
    await ann.waitForLoadState();
    expect(await ann.getByRole('alert').innerText()).toMatch(/Refused \(self_approval\)/);
    await axe(ann);
    const bob = as('bob');
    await bob.goto(url(`/console/requests/${requestId}`));
    await bob.getByRole('button', { name: 'Approve', exact: true }).click();
    await bob.waitForURL(/done=approve/);
    expect(await bob.locator('h1').innerText()).toContain('approved');
    await ann.reload();
    expect(await ann.locator('h1').innerText()).toContain('approved');
    expect(await main(ann)).toContain('Decided');
  });

  it('after the cooldown (injected clock) Ann requests a lock and Bob approves it: the instance shows locked', async () => {
    clock.advanceHours(73);
    // 73 hours later both sessions have idled out: sign in again.
    await as('ann').goto(url('/console/instances/crm-prod'));
    expect(await main(as('ann'))).toContain('Sign in to the dualkey console');
    await signIn('ann');
    const ann = as('ann');
    expect(ann.url()).toBe(url('/console/instances/crm-prod'));
    await signIn('bob');
    await ann.getByRole('button', { name: 'Lock…' }).click();
    await ann.waitForURL(/\/pages\//);
    await ann.locator('#confirm').fill('crm-prod');
    await ann.locator('#keyfile').setInputFiles(PFX);
    await ann.locator('#password').fill(FIXTURE_PASSWORD);
    await ann.getByRole('button', { name: 'Request the lock' }).click();
    await ann.waitForLoadState();
    expect(await ann.locator('h1').innerText()).toBe('Lock of crm-prod requested');
    const lockId = /r-[a-z0-9]{10}/.exec(await ann.locator('main').innerText())![0];
    const bob = as('bob');
    await bob.goto(url(`/console/requests/${lockId}`));
    // Step-up is off in this tenant: the page asks for no passkey.
    expect(await main(bob)).not.toContain('requires your passkey');
    await bob.getByRole('button', { name: 'Approve lock…' }).click();
    await bob.waitForLoadState();
    expect(await main(bob)).toContain('It goes offline');
    await axe(bob);
    await bob.getByRole('button', { name: 'Yes: Approve lock' }).click();
    await bob.waitForURL(/done=approve/);
    await ann.goto(url('/console/instances/crm-prod'));
    expect(await ann.locator('h1').innerText()).toMatch(/crm-prod\s+locked/);
  });

  it('Ann unlocks with the same file', async () => {
    const ann = as('ann');
    await ann.getByRole('button', { name: 'Unlock…' }).click();
    await ann.waitForURL(/\/pages\//);
    await ann.locator('#keyfile').setInputFiles(PFX);
    await ann.locator('#password').fill(FIXTURE_PASSWORD);
    await ann.getByRole('button', { name: 'Unlock crm-prod' }).click();
    await ann.waitForLoadState();
    expect(await ann.locator('h1').innerText()).toBe('crm-prod is unlocked');
    await ann.goto(url('/console/instances/crm-prod'));
    expect(await ann.locator('h1').innerText()).toMatch(/crm-prod\s+active/);
  });

  it('every console page passes axe with no serious or critical violation', async () => {
    const bob = as('bob');
    for (const p of ['/console/', '/console/?q=prod&state=active', '/console/instances/crm-prod', '/console/requests', `/console/requests/${requestId}`, '/console/inbox', '/console/audit', '/console/admins', '/console/settings']) {
      await bob.goto(url(p));
      expect(await bob.title(), p).toMatch(/dualkey console$/);
      await axe(bob);
    }
    expect(violations).toEqual([]);
  });
});
