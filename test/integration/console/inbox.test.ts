import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../core/engine.js';
import { inboxEntries, outbox } from '../../../db/schema/index.js';
import { asCli, createHarness, type Harness } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';
import { cryptoRandom } from '../../../bot/runtime/crypto-random.js';

const upload = () => ({ kind: 'upload' as const, upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });

/** The console inbox as the always-on channel, on a deployment with no SMTP and no chat configured. */
describe('console inbox', () => {
  let h: Harness;
  // A deployment whose server recorded no alert channel at all.
  const engineWithoutChannels = () => createEngine({ ...h.engine.deps, random: cryptoRandom });

  beforeEach(async () => {
    h = await createHarness();
    await h.db.uow.run((store) => store.deploymentChannels.replace([], h.clock.now()));
  });
  afterEach(() => h.dispose());

  async function seed() {
    const engine = engineWithoutChannels();
    const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
    const add = (email: string, name: string) => engine.addAdmin(tenant.id, { email, name, role: 'global_admin', instances: [], identities: [] });
    const ann = asCli(await add('ann@example.com', 'Ann'));
    const bob = asCli(await add('bob@example.com', 'Bob'));
    await engine.createInstance(tenant.id, 'crm-prod');
    const cat = asCli(await (async () => {
      const r = await engine.requestAdminChange(ann, { operation: 'admin_add', email: 'cat@example.com', name: 'Cat', role: 'system_admin', instances: ['crm-prod'], identities: [] });
      await engine.decide(bob, r.id, 'approve');
      return engine.adminByEmail(tenant.id, 'cat@example.com');
    })());
    h.clock.advanceHours(1 / 60);
    return { engine, tenant, ann, bob, cat };
  }

  it('with no SMTP and no chat, a key change lands in every admin\'s inbox in the same commit, with no outbox row', async () => {
    const { engine, ann, bob, cat } = await seed();
    const { request } = await engine.changeKey(ann, 'crm-prod', upload());
    const rows = await h.db.database.transaction((tx) => tx.select().from(inboxEntries));
    const about = rows.filter((r) => r.requestId === request.id);
    expect(about.map((r) => r.adminId).sort()).toEqual([ann.admin.id, bob.admin.id, cat.admin.id].sort());
    expect(about.every((r) => r.actionable && r.readAt === null && r.message.event === 'key_change_opened')).toBe(true);
    expect(await h.db.database.transaction((tx) => tx.select().from(outbox))).toEqual([]);
    for (const who of [ann, bob, cat]) expect(await engine.console.unread(who.admin)).toBeGreaterThanOrEqual(1);
    const page = await engine.console.inbox(bob.admin, 10, 0);
    expect(page.entries[0]!.requestId).toBe(request.id);
    expect(page.entries[0]!.message.actions.map((a) => a.id)).toEqual(['approve', 'rollback']);
  });

  it('a decision resolves every inbox copy in place (buttons gone, unread again) instead of adding a second entry', async () => {
    const { engine, ann, bob } = await seed();
    const { request } = await engine.changeKey(ann, 'crm-prod', upload());
    await engine.console.markInboxRead(bob.admin);
    expect(await engine.console.unread(bob.admin)).toBe(0);
    await engine.decide(bob, request.id, 'approve');
    const about = (await h.db.database.transaction((tx) => tx.select().from(inboxEntries))).filter((r) => r.requestId === request.id);
    expect(about).toHaveLength(3);
    expect(about.every((r) => !r.actionable && r.resolution?.startsWith('approved by bob@example.com'))).toBe(true);
    expect(await engine.console.unread(bob.admin)).toBe(1);
  });

  it('admins who never saw the request get the decision as a new entry', async () => {
    const { engine, ann, bob, tenant } = await seed();
    const { request } = await engine.changeKey(ann, 'crm-prod', upload());
    const r = await engine.requestAdminChange(ann, { operation: 'admin_add', email: 'dan@example.com', name: 'Dan', role: 'service_admin', instances: [], identities: [] });
    await engine.decide(bob, r.id, 'approve');
    const dan = await engine.adminByEmail(tenant.id, 'dan@example.com');
    await engine.decide(bob, request.id, 'rollback');
    const dans = (await engine.console.inbox(dan, 10, 0)).entries.filter((e) => e.requestId === request.id);
    expect(dans.map((e) => e.message.event)).toEqual(['request_decided']);
    expect(dans[0]!.actionable).toBe(false);
  });

  it('reminders reach the inbox once each even with no external channel, and a removed admin\'s entries stay theirs', async () => {
    const { engine, ann, bob } = await seed();
    const { request } = await engine.changeKey(ann, 'crm-prod', upload());
    h.clock.advanceHours(48);
    expect(await engine.queueReminders([24, 1])).toBe(0); // no outbox rows: nothing external to send
    await engine.queueReminders([24, 1]);
    const reminders = (await engine.console.inbox(bob.admin, 10, 0)).entries.filter((e) => e.message.event === 'reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.requestId).toBe(request.id);
    expect((await engine.console.inbox(ann.admin, 10, 0)).entries.filter((e) => e.message.event === 'reminder')).toHaveLength(0);
  });
});
