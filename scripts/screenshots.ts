// Takes the console screenshots in docs/screenshots/ (issue 11 "Look"): the demo tenant on a new temporary data
// directory, a pending key change by Ann, Bob signed in, each main page captured in light and dark.
// Run: npx tsx scripts/screenshots.ts  (needs Debian's chromium; CI does not run it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../bot/runtime/config.js';
import { startServer } from '../bot/start-server.js';
import { seedDemo } from '../bot/cli/demo-seed.js';
import { generatePfx } from '../core/keyfiles/generate-pfx.js';
import { launchChromium } from '../test/support/chromium.js';

const OUT = path.resolve(import.meta.dirname, '..', 'docs', 'screenshots');
const dataDir = mkdtempSync(path.join(tmpdir(), 'dualkey-shots-'));
const server = await startServer(loadConfig({ DUALKEY_DATA_DIR: dataDir, PORT: '0' }), { startScheduler: false });
const browser = await launchChromium();
try {
  const [ann, bob] = await seedDemo(server.runtime.engine);
  const password = 'screenshot password 2026';
  const pfx = generatePfx({ commonName: 'crm-prod customer key', password, now: new Date(), serialNumber: Buffer.from([1, 2, 3, 4]) }).pfx;
  const change = await server.runtime.engine.changeKey({ admin: ann!.admin, transport: 'web' }, 'crm-prod', { kind: 'upload', upload: { file: pfx, password } });
  for (const scheme of ['light', 'dark'] as const) {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme: scheme });
    const page = await context.newPage();
    const token = (await server.runtime.engine.issueSignInLink(bob!.admin, 'web')).token;
    await page.goto(`${server.url}/console/sign-in/${token}`);
    await page.locator('button[type=submit]').first().click();
    await page.waitForURL(/\/console\/$/);
    const pages: Array<[string, string]> = [
      ['instances', '/console/'], ['instance', '/console/instances/crm-prod'], ['requests', '/console/requests'],
      ['request', `/console/requests/${change.request.id}`], ['inbox', '/console/inbox'], ['audit', '/console/audit'],
      ['admins', '/console/admins'], ['settings', '/console/settings'],
    ];
    for (const [name, url] of pages) {
      if (scheme === 'dark' && !['instances', 'request'].includes(name)) continue;
      await page.goto(`${server.url}${url}`);
      await page.screenshot({ path: path.join(OUT, `${name}${scheme === 'dark' ? '-dark' : ''}.png`), fullPage: true });
    }
    await context.close();
  }
  console.log(`screenshots written to ${OUT}`);
} finally {
  await browser.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
