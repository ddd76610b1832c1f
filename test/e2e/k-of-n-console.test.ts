import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../core/engine.js';
import type { Admin } from '../../core/model/admin.js';
import { loadConfig } from '../../bot/runtime/config.js';
import { nodeCronSchedule } from '../../bot/runtime/node-cron-schedule.js';
import { startServer, type RunningServer } from '../../bot/start-server.js';
import { ConsoleClient } from '../support/console-client.js';
import { MemoryLogger } from '../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';
import { TestClock } from '../support/test-clock.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** A k-of-n approval through the web console over real HTTP: the count on the request page, a repeat refused. */
describe('k-of-n approvals in the web console', () => {
  let db: TestDatabase;
  let dataDir: string;
  let server: RunningServer;
  let engine: Engine;
  const clock = new TestClock();
  let bob: Admin;
  let cat: Admin;
  let requestId: string;
  const signedIn = async (admin: Admin) => {
    const c = new ConsoleClient(server.url);
    expect((await c.signIn((await engine.issueSignInLink(admin, 'slack')).token)).status).toBe(303);
    // The request page carries the CSRF token the decision form posts.
    await c.get(`/console/requests/${requestId}`);
    return c;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'dualkey-e2e-kofn-'));
    server = await startServer(loadConfig({ DUALKEY_DATA_DIR: dataDir, PORT: '0' }), { database: db.database, clock, logger: new MemoryLogger(), startScheduler: false });
    engine = server.runtime.engine;
    const acme = await engine.createTenant('acme', { selfManagedKeys: true });
    await engine.createInstance(acme.id, 'crm-prod');
    const ann = await engine.addAdmin(acme.id, { email: 'ann@example.com', name: 'Ann', role: 'global_admin', instances: [], identities: [] });
    bob = await engine.addAdmin(acme.id, { email: 'bob@example.com', name: 'Bob', role: 'global_admin', instances: [], identities: [] });
    const add = await engine.requestAdminChange({ admin: ann, transport: 'web' }, { operation: 'admin_add', email: 'cat@example.com', name: 'Cat', role: 'system_admin', instances: ['crm-prod'], identities: [] });
    await engine.decide({ admin: bob, transport: 'web' }, add.id, 'approve');
    cat = await engine.adminByEmail(acme.id, 'cat@example.com');
    await engine.updateTenantSettings(acme.id, { approvalsKeyChange: 2 }, nodeCronSchedule());
    clock.advanceHours(1 / 60);
    requestId = (await engine.changeKey({ admin: ann, transport: 'web' }, 'crm-prod', { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } })).request.id;
  });

  afterAll(async () => {
    await server?.close();
    await db?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('records Bob\'s approval as "1 of 2", refuses his second with approval_already_recorded, and Cat\'s decides it', async () => {
    const b = await signedIn(bob);
    const first = await b.post(`/console/requests/${requestId}`, { decision: 'approve', confirmed: 'yes' });
    expect(first.status, first.text.slice(0, 3000)).toBe(303);
    expect(first.headers.get('location')).toBe(`/console/requests/${requestId}?done=approval_recorded`);
    const page = await b.get(`/console/requests/${requestId}?done=approval_recorded`);
    expect(page.text).toContain('Your approval is recorded; the request needs more approvals and stays pending.');
    expect(page.text).toMatch(/<dt>Approvals<\/dt><dd>1 of 2 approvals: Bob &lt;bob@example.com&gt; at \d{4}-\d\d-\d\d \d\d:\d\d UTC<\/dd>/);
    expect(page.text).toMatch(/<dt>State<\/dt><dd>pending<\/dd>/);
    await b.get(`/console/requests/${requestId}`);
    const again = await b.post(`/console/requests/${requestId}`, { decision: 'approve', confirmed: 'yes' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('approval_already_recorded');
    const c = await signedIn(cat);
    expect((await c.post(`/console/requests/${requestId}`, { decision: 'approve', confirmed: 'yes' })).headers.get('location')).toBe(`/console/requests/${requestId}?done=approve`);
    expect((await engine.console.request(bob, requestId)).state).toBe('approved');
  });
});
