import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeCronSchedule } from '../../../bot/runtime/node-cron-schedule.js';
import { renderEmailText } from '../../../bot/channels/render-email.js';
import { executeChatCommand } from '../../../bot/commands/execute-chat-command.js';
import { renderAlertBlocks } from '../../../bot/slack/render-alert-blocks.js';
import { renderAlertCard } from '../../../bot/teams/alert-card.js';
import { decisionsFor, describeRequest } from '../../../bot/web/console/requests-page.js';
import { inboxEntries, outbox } from '../../../db/schema/index.js';
import { addApprovedAdmin, createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

const upload = (name = 'rsa-2048.pfx') => ({ kind: 'upload' as const, upload: { file: fixture(name), password: FIXTURE_PASSWORD } });
const schedule = nodeCronSchedule();
const HOUR = 3_600_000;

/** Issue 8 item 3: settings bind the requests opened under them; weakening is a two-person settings_change request. */
describe('tenant settings under the two-person rule', () => {
  let h: Harness;
  let s: Seeded;
  const tenant = async () => (await h.engine.resolveTenant(s.tenant.name));
  const rowsFor = async (event: string) => (await h.db.database.transaction((tx) => tx.select().from(outbox))).filter((r) => r.message.event === event);
  const inboxFor = async (event: string) => (await h.db.database.transaction((tx) => tx.select().from(inboxEntries))).filter((r) => r.message.event === event);
  const everyAdmin = () => [s.ann, s.bob, s.cat].map((a) => a.admin.id).sort();

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
  });
  afterEach(() => h.dispose());

  it('refuses the operator a weakening tenant set once the tenant has two global admins, and changes nothing', async () => {
    for (const change of [{ lockCooldownHours: 1 }, { reviewWindowHours: 1 }, { unreviewedChangePolicy: 'keep' as const }, { lockApprovalTtlHours: 168 }]) {
      const r = await refusal(() => h.engine.updateTenantSettings(s.tenant.id, change, schedule));
      expect(r.code).toBe('settings_change_needs_approval');
      expect(r.message).toContain('--as');
    }
    expect((await tenant()).settings).toMatchObject({ lockCooldownHours: 72, reviewWindowHours: 72, unreviewedChangePolicy: 'rollback', lockApprovalTtlHours: 24 });
  });

  it('lets the operator weaken directly while the tenant has fewer than two global admins (bootstrap), alerting its admins', async () => {
    const solo = await h.engine.createTenant('solo', { selfManagedKeys: true });
    const only = await h.engine.addAdmin(solo.id, { email: 'zoe@example.com', name: 'Zoe', role: 'global_admin', instances: [], identities: [] });
    const next = await h.engine.updateTenantSettings(solo.id, { unreviewedChangePolicy: 'keep' }, schedule);
    expect(next.settings.unreviewedChangePolicy).toBe('keep');
    expect((await rowsFor('settings_changed')).map((r) => r.adminId)).toContain(only.id);
  });

  it('keeps a pending key change on its deadline and rollback policy after the settings are weakened and approved', async () => {
    const change = await h.engine.changeKey(s.ann, s.instance, upload());
    const deadline = change.request.deadline;
    expect(change.request.settings).toEqual({ reviewWindowHours: 72, lockCooldownHours: 72, lockApprovalTtlHours: 24, unreviewedChangePolicy: 'rollback', approvalsRequired: 1 });

    const asked = await h.engine.requestSettingsChange(s.ann, { unreviewedChangePolicy: 'keep', reviewWindowHours: 12 }, schedule);
    await h.engine.decide(s.bob, asked.request!.id, 'approve');
    expect((await tenant()).settings).toMatchObject({ unreviewedChangePolicy: 'keep', reviewWindowHours: 12 });

    const [stored] = (await h.engine.listRequests(s.tenant.id, false)).filter((r) => r.id === change.request.id);
    expect(stored).toMatchObject({ deadline, settings: { unreviewedChangePolicy: 'rollback', reviewWindowHours: 72 } });
    // Twelve hours on (the new window) nothing expires; at the bound 72 h the change is rolled back, not kept.
    h.clock.advanceHours(13);
    expect((await h.engine.sweep()).map((r) => r.id)).not.toContain(change.request.id);
    h.clock.advanceMs(deadline.getTime() - h.clock.now().getTime());
    const swept = await h.engine.sweep();
    expect(swept.find((r) => r.id === change.request.id)?.state).toBe('expired_rolled_back');

    // A key change opened now binds the new settings.
    await h.engine.createInstance(s.tenant.id, 'hr-prod');
    const later = await h.engine.changeKey(s.ann, 'hr-prod', upload('rsa-2048-other.pfx'));
    expect(later.request.deadline.getTime() - h.clock.now().getTime()).toBe(12 * HOUR);
    expect(later.request.settings?.unreviewedChangePolicy).toBe('keep');
  });

  it('opens a settings_change request for a weakening: nothing applies, self-approval and non-global admins are refused, every admin is alerted, a second global admin approves exactly once', async () => {
    const asked = await h.engine.requestSettingsChange(s.ann, { lockCooldownHours: 1 }, schedule);
    const request = asked.request!;
    expect(request).toMatchObject({ type: 'settings_change', state: 'pending', requestedBy: s.ann.admin.id });
    expect(request.deadline.getTime() - request.openedAt.getTime()).toBe(72 * HOUR);
    expect(asked.applied).toEqual([]);
    expect((await tenant()).settings.lockCooldownHours).toBe(72);

    const alerts = await rowsFor('settings_change_requested');
    expect([...new Set(alerts.map((r) => r.adminId))].sort()).toEqual(everyAdmin());
    expect((await inboxFor('settings_change_requested')).map((r) => r.adminId).sort()).toEqual(everyAdmin());
    expect(alerts[0]!.message.title).toContain('lock cooldown (h) 72 → 1');
    expect(alerts[0]!.message.actions.map((a) => a.id)).toEqual(['approve', 'reject']);

    expect((await refusal(() => h.engine.decide(s.ann, request.id, 'approve'))).code).toBe('self_approval');
    expect((await refusal(() => h.engine.decide(s.cat, request.id, 'approve'))).code).toBe('not_admin');
    expect((await refusal(() => h.engine.decide(s.bob, request.id, 'rollback'))).code).toBe('request_type_mismatch');
    expect((await tenant()).settings.lockCooldownHours).toBe(72);

    h.clock.advanceHours(1 / 60);
    const dan = await addApprovedAdmin(h, s, { email: 'dan@example.com', name: 'Dan', role: 'global_admin', instances: [], identities: [] });
    expect((await refusal(() => h.engine.decide({ admin: dan, transport: 'slack' }, request.id, 'approve'))).code).toBe('admin_too_new');

    const results = await Promise.allSettled([h.engine.decide(s.bob, request.id, 'approve'), h.restart().decide(s.bob, request.id, 'approve')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'request_closed' });
    expect((await tenant()).settings.lockCooldownHours).toBe(1);
    expect((await rowsFor('request_decided')).filter((r) => r.requestId === request.id).length).toBeGreaterThan(0);
  });

  it('refuses a second weakening while one awaits approval, and expires an unapproved one at the review window without applying it', async () => {
    const first = (await h.engine.requestSettingsChange(s.ann, { unreviewedChangePolicy: 'keep' }, schedule)).request!;
    expect((await refusal(() => h.engine.requestSettingsChange(s.bob, { lockCooldownHours: 2 }, schedule))).code).toBe('change_pending');
    h.clock.advanceHours(72);
    expect((await h.engine.sweep()).find((r) => r.id === first.id)?.state).toBe('expired');
    expect((await tenant()).settings.unreviewedChangePolicy).toBe('rollback');
    expect((await refusal(() => h.engine.decide(s.bob, first.id, 'approve'))).code).toBe('request_closed');
  });

  it('applies a strengthening at once, without a request, and alerts every admin; the operator may strengthen too', async () => {
    const r = await h.engine.requestSettingsChange(s.ann, { reviewWindowHours: 96, lockApprovalTtlHours: 12 }, schedule);
    expect(r.request).toBeNull();
    expect(r.applied.map((c) => c.field).sort()).toEqual(['lockApprovalTtlHours', 'reviewWindowHours']);
    expect((await tenant()).settings).toMatchObject({ reviewWindowHours: 96, lockApprovalTtlHours: 12 });
    const alerts = await rowsFor('settings_changed');
    expect([...new Set(alerts.map((a) => a.adminId))].sort()).toEqual(everyAdmin());
    expect(alerts[0]!.message.title).toContain('ann@example.com');
    expect((await h.engine.listRequests(s.tenant.id, false)).filter((q) => q.type === 'settings_change')).toEqual([]);

    await h.engine.updateTenantSettings(s.tenant.id, { lockCooldownHours: 96 }, schedule);
    expect((await tenant()).settings.lockCooldownHours).toBe(96);
    expect((await rowsFor('settings_changed')).filter((a) => a.message.title.includes('the operator')).length).toBeGreaterThan(0);
  });

  it('splits a mixed change: the strengthening applies at once, the weakening waits for approval', async () => {
    const r = await h.engine.requestSettingsChange(s.ann, { reviewWindowHours: 96, lockCooldownHours: 24 }, schedule);
    expect(r.applied.map((c) => c.field)).toEqual(['reviewWindowHours']);
    expect(r.request?.payload.summary).toBe('lock cooldown (h) 72 → 24');
    expect((await tenant()).settings).toMatchObject({ reviewWindowHours: 96, lockCooldownHours: 72 });
  });

  it('treats turning self-managed keys off while an instance is customer-keyed as a weakening', async () => {
    expect((await h.engine.requestSettingsChange(s.ann, { selfManagedKeys: false }, schedule)).request).toBeNull();
    expect((await tenant()).selfManagedKeys).toBe(false);
    await h.engine.updateTenantSettings(s.tenant.id, { selfManagedKeys: true }, schedule);
    const change = await h.engine.changeKey(s.ann, s.instance, upload());
    await h.engine.decide(s.bob, change.request.id, 'approve');
    expect((await refusal(() => h.engine.updateTenantSettings(s.tenant.id, { selfManagedKeys: false }, schedule))).code).toBe('settings_change_needs_approval');
    expect((await h.engine.requestSettingsChange(s.ann, { selfManagedKeys: false }, schedule)).request?.type).toBe('settings_change');
    expect((await tenant()).selfManagedKeys).toBe(true);
  });

  it('refuses a settings change from an admin who is not a global admin', async () => {
    expect((await refusal(() => h.engine.requestSettingsChange(s.cat, { reviewWindowHours: 96 }, schedule))).code).toBe('not_admin');
  });

  it('renders a settings_change request in Slack, Teams, e-mail, the console, pending and the digest', async () => {
    const request = (await h.engine.requestSettingsChange(s.ann, { unreviewedChangePolicy: 'keep' }, schedule)).request!;
    const summary = 'unreviewed-change policy rollback → keep';
    const [row] = (await rowsFor('settings_change_requested')).filter((r) => r.adminId === s.bob.admin.id && r.channel === 'email');
    const slack = renderAlertBlocks(row!.message);
    expect(slack.text).toContain(summary);
    expect(JSON.stringify(slack.blocks)).toContain(`"value":"${request.id}"`);
    const card = JSON.stringify(renderAlertCard(row!.message));
    expect(card).toContain(summary);
    expect(card).toContain('Action.Execute');
    expect(renderEmailText(row!.message, { publicUrl: 'https://dualkey.example.com', recipientEmail: s.bob.admin.email })).toContain(`dualkey approve ${request.id}`);

    const [consoleView] = (await h.engine.console.requests(s.bob.admin, false)).filter((r) => r.id === request.id);
    expect(describeRequest(consoleView!)).toBe(`Settings change: ${summary}`);
    expect(decisionsFor(consoleView!).map((d) => d.decision)).toEqual(['approve', 'reject']);

    const pending = await executeChatCommand(h.engine, { ...s.bob, transport: 'slack' }, { name: 'pending' }, { publicUrl: 'https://dualkey.example.com', prefix: '/dualkey' });
    expect(JSON.stringify(pending)).toContain(`settings change (${summary}) by ann@example.com`);

    const { message } = await h.engine.buildDigest(s.tenant.id);
    expect(message.facts).toContainEqual([`  ${request.id}`, expect.stringContaining(`settings change (${summary}) by ann@example.com`)]);
  });

  it('binds a pending lock request to the TTL and cooldown it opened under, whatever is approved later', async () => {
    const change = await h.engine.changeKey(s.ann, s.instance, upload());
    await h.engine.decide(s.bob, change.request.id, 'approve');
    h.clock.advanceHours(72);
    const lock = await h.engine.requestLock(s.ann, s.instance, { confirm: s.instance, upload: upload().upload });
    expect(lock.settings).toMatchObject({ lockCooldownHours: 72, lockApprovalTtlHours: 24 });
    expect(lock.deadline.getTime() - lock.openedAt.getTime()).toBe(24 * HOUR);
    const weaker = (await h.engine.requestSettingsChange(s.ann, { lockApprovalTtlHours: 100, lockCooldownHours: 1 }, schedule)).request!;
    await h.engine.decide(s.bob, weaker.id, 'approve');
    expect((await tenant()).settings).toMatchObject({ lockApprovalTtlHours: 100, lockCooldownHours: 1 });
    const [stored] = (await h.engine.listRequests(s.tenant.id, false)).filter((r) => r.id === lock.id);
    expect(stored).toMatchObject({ deadline: lock.deadline, settings: { lockCooldownHours: 72, lockApprovalTtlHours: 24 } });
    // Past its bound 24 h TTL the lock can no longer be approved, though the tenant's TTL is now 100 h.
    h.clock.advanceHours(25);
    expect((await refusal(() => h.engine.decide(s.bob, lock.id, 'approve'))).code).toBe('request_expired');
  });
});
