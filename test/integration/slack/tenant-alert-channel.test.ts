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
    const posted = [...api.messages.entries()].filter(([key]) => key.startsWith(`${ALERTS}/`));
    expect(posted).toHaveLength(1);
    expect(posted[0]![1].text).toContain('Key changed on crm-prod by ann@example.com');

    await h.engine.decide(s.bob, request.id, 'approve');
    await h.engine.deliverOutbox({ channels: { slack } });
    const [, message] = [...api.messages.entries()].find(([key]) => key.startsWith(`${ALERTS}/`))!;
    expect(message.updates).toBe(1);
    expect(message.text).toContain('approved by bob@example.com');
    expect([...api.messages.keys()].filter((key) => key.startsWith(`${ALERTS}/`))).toHaveLength(1);
  });

  it('refuses settings that are not valid with invalid_input, and stops when set to none', async () => {
    const schedule = nodeCronSchedule();
    for (const change of [{ slackAlertChannel: '#alerts' }, { timezone: 'Mars/Olympus' }, { digestCron: 'every day' }, { lockCooldownHours: 0 }, { reviewWindowHours: 10_000 }]) {
      expect((await refusal(() => h.engine.updateTenantSettings(s.tenant.id, change, schedule))).code).toBe('invalid_input');
    }
    await h.engine.updateTenantSettings(s.tenant.id, { slackAlertChannel: ALERTS, timezone: 'Europe/Paris', digestCron: '0 8 * * 1-5' }, schedule);
    const t = await h.engine.updateTenantSettings(s.tenant.id, { slackAlertChannel: null }, schedule);
    expect(t.settings).toMatchObject({ slackAlertChannel: null, timezone: 'Europe/Paris', digestCron: '0 8 * * 1-5', lockCooldownHours: 72 });
    await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    expect((await h.db.database.transaction((tx) => tx.select().from(outbox))).filter((r) => r.adminId === null)).toEqual([]);
    const audit = await h.engine.listAudit({ tenantId: s.tenant.id });
    expect(audit.filter((e) => e.action === 'tenant_settings').map((e) => e.result)).toEqual(['ok', 'ok', 'refused', 'refused', 'refused', 'refused', 'refused']);
  });

  it('toggles the plan entitlement', async () => {
    await h.engine.updateTenantSettings(s.tenant.id, { selfManagedKeys: false }, nodeCronSchedule());
    expect((await refusal(() => h.engine.changeKey(s.ann, s.instance, { kind: 'revert' }))).code).toBe('plan_not_entitled');
  });
});
