import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nodeCronSchedule } from '../../../bot/runtime/node-cron-schedule.js';
import { SlackChannel } from '../../../bot/slack/slack-channel.js';
import { outbox } from '../../../db/schema/index.js';
import { createHarness, refusal, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

const TOKEN = 'xoxb-1-2-alertchannel';
const ALERTS = 'C0ALERTS01';

describe('the tenant Slack alert channel', () => {
  let api: FakeSlackApi;
  let h: Harness;
  let s: Seeded;
  beforeAll(async () => {
    api = await FakeSlackApi.start(TOKEN);
  });
  afterAll(() => api?.close());
  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
  });
  afterEach(() => h.dispose());

  it('receives every alert once besides the DMs, and its copy is updated in place after the decision', async () => {
    await h.engine.updateTenantSettings(s.tenant.id, { slackAlertChannel: ALERTS }, nodeCronSchedule());
    const slack = new SlackChannel({ token: TOKEN, apiUrl: api.apiUrl });
    const { request } = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    const rows = (await h.db.database.transaction((tx) => tx.select().from(outbox))).filter((r) => r.requestId === request.id);
    expect(rows.filter((r) => r.adminId === null)).toMatchObject([{ address: ALERTS, channel: 'slack', kind: 'deliver' }]);

    await h.engine.deliverOutbox({ channels: { slack } });
    // The settings change that set the channel is itself announced there (issue 8: settings changes are alerted); leave it aside.
    const aboutKeys = () => [...api.messages.entries()].filter(([key, m]) => key.startsWith(`${ALERTS}/`) && !m.text.includes('Settings changed'));
    const posted = aboutKeys();
    expect(posted).toHaveLength(1);
    expect(posted[0]![1].text).toContain('Key changed on crm-prod by ann@example.com');

    await h.engine.decide(s.bob, request.id, 'approve');
    await h.engine.deliverOutbox({ channels: { slack } });
    const [, message] = aboutKeys()[0]!;
    expect(message.updates).toBe(1);
    expect(message.text).toContain('approved by bob@example.com');
    expect(aboutKeys()).toHaveLength(1);
  });

  it('ends on the decision when a "1 of 2" count claimed before it reaches Slack after the decision\'s update', async () => {
    const schedule = nodeCronSchedule();
    await h.engine.updateTenantSettings(s.tenant.id, { slackAlertChannel: ALERTS, approvalsKeyChange: 2 }, schedule);
    const slack = new SlackChannel({ token: TOKEN, apiUrl: api.apiUrl });
    const earlier = new Set(api.messages.keys());
    const { request } = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    await h.engine.deliverOutbox({ channels: { slack } });
    // This key change's copy in the channel (the fake keeps earlier tests' messages, and the settings change has its own).
    const [copyKey] = [...api.messages.entries()].find(([key, m]) => !earlier.has(key) && key.startsWith(`${ALERTS}/`) && m.text.startsWith('Key changed on crm-prod'))!;
    const copy = () => api.messages.get(copyKey)!;
    const buttons = () => copy().blocks.filter((b) => (b as { type?: string }).type === 'actions').length;
    expect(buttons()).toBe(1);

    await h.engine.decide(s.bob, request.id, 'approve');
    // The pass that claims Bob's count is overtaken: Cat's deciding approval commits and another pass sends its update first.
    h.faults.runAt('outbox:claimed', async () => {
      await h.engine.decide(s.cat, request.id, 'approve');
      await h.engine.deliverOutbox({ channels: { slack } });
      expect(copy().text).toContain('approved by bob@example.com and cat@example.com');
    });
    await h.engine.deliverOutbox({ channels: { slack } });
    expect(h.faults.seen).toContain('outbox:claimed');
    expect(copy().text).toContain('approved by bob@example.com and cat@example.com');
    expect(buttons()).toBe(0);
    const rows = (await h.db.database.transaction((tx) => tx.select().from(outbox))).filter((r) => r.requestId === request.id && r.address === ALERTS);
    expect(rows.filter((r) => r.message.event === 'request_decided').map((r) => [r.state, r.attempts])).toEqual([['sent', 2]]);
  });

  it('refuses settings that are not valid with invalid_input, and stops when set to none (a second global admin approving)', async () => {
    const schedule = nodeCronSchedule();
    for (const change of [{ slackAlertChannel: '#alerts' }, { timezone: 'Mars/Olympus' }, { digestCron: 'every day' }, { lockCooldownHours: 0 }, { reviewWindowHours: 10_000 }]) {
      expect((await refusal(() => h.engine.updateTenantSettings(s.tenant.id, change, schedule))).code).toBe('invalid_input');
    }
    await h.engine.updateTenantSettings(s.tenant.id, { slackAlertChannel: ALERTS, timezone: 'Europe/Paris', digestCron: '0 8 * * 1-5' }, schedule);
    // Removing the channel people watch weakens alerting: two global admins exist, so it takes a settings_change request.
    expect((await refusal(() => h.engine.updateTenantSettings(s.tenant.id, { slackAlertChannel: null }, schedule))).code).toBe('settings_change_needs_approval');
    const asked = await h.engine.requestSettingsChange(s.ann, { slackAlertChannel: null }, schedule);
    await h.engine.decide(s.bob, asked.request!.id, 'approve');
    const t = await h.engine.resolveTenant(s.tenant.name);
    expect(t.settings).toMatchObject({ slackAlertChannel: null, timezone: 'Europe/Paris', digestCron: '0 8 * * 1-5', lockCooldownHours: 72 });
    const { request } = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    // After the channel was removed, the key change wrote no row for it.
    expect((await h.db.database.transaction((tx) => tx.select().from(outbox))).filter((r) => r.adminId === null && r.requestId === request.id)).toEqual([]);
    const audit = await h.engine.listAudit({ tenantId: s.tenant.id });
    expect(audit.filter((e) => e.action === 'tenant_settings').map((e) => e.result)).toEqual(['refused', 'ok', 'refused', 'refused', 'refused', 'refused', 'refused']);
  });

  it('toggles the plan entitlement', async () => {
    await h.engine.updateTenantSettings(s.tenant.id, { selfManagedKeys: false }, nodeCronSchedule());
    expect((await refusal(() => h.engine.changeKey(s.ann, s.instance, { kind: 'revert' }))).code).toBe('plan_not_entitled');
  });
});
