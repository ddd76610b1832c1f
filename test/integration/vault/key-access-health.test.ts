import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChannel, OutgoingAlert } from '../../../core/ports/alert-channel.js';
import { nodeCronSchedule } from '../../../bot/runtime/node-cron-schedule.js';
import { Scheduler } from '../../../bot/scheduler/scheduler.js';
import { createAzureHarness, type AzureHarness } from '../../support/azure-harness.js';
import { seedTenant, type Seeded } from '../../support/engine-harness.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

/** An e-mail channel that records what the scheduler delivers (the SMTP fake is tested elsewhere). */
function recordingMail(): AlertChannel & { sent: OutgoingAlert[] } {
  const sent: OutgoingAlert[] = [];
  return {
    name: 'email',
    sent,
    deliver: async (alert) => (sent.push(alert), { ok: true, platformRef: { messageId: alert.idempotencyKey } }),
    update: async (alert) => (sent.push(alert), { ok: true, platformRef: {} }),
  };
}

describe('key-access health with DUALKEY_VAULT=azure (fake Key Vault)', () => {
  let h: AzureHarness;
  let s: Seeded;
  let mail: ReturnType<typeof recordingMail>;
  let scheduler: Scheduler;
  let keyName: string;

  const tick = async () => {
    await scheduler.tick();
    await scheduler.deliver();
  };
  const alerts = (event: string) => mail.sent.filter((a) => a.message.event === event);

  beforeAll(async () => {
    h = await createAzureHarness();
    s = await seedTenant(h);
    const r = await h.engine.changeKey(s.ann, s.instance, { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    await h.engine.decide(s.bob, r.request.id, 'approve');
    const i = await h.db.uow.run((store) => store.instances.byName(s.tenant.id, s.instance));
    const p = await h.db.uow.run((store) => store.protectors.byId(i!.protectorId));
    keyName = p!.vaultKeyId!;
    mail = recordingMail();
    scheduler = new Scheduler({ engine: h.engine, channels: { email: mail }, schedule: nodeCronSchedule(), logger: h.logger, reminderHours: [] });
    await tick();
    mail.sent.length = 0;
  }, 60_000);
  afterAll(() => h?.dispose());

  it('alerts every admin once within one tick when the customer key is disabled, and shows it in status', async () => {
    h.world.keyVault.setEnabled(keyName, false);
    h.clock.advanceHours(1 / 60);
    await tick();
    const lost = alerts('key_access_lost');
    expect(lost.map((a) => a.recipient!.email).sort()).toEqual(['ann@example.com', 'bob@example.com', 'cat@example.com']);
    expect(lost[0]!.message.instanceName).toBe(s.instance);
    expect(lost[0]!.message.title).toContain('disabled');
    const [status] = await h.engine.status(s.tenant.id, s.instance);
    expect(status!.keyAccessProblem).toContain('disabled');
  });

  it('does not alert again on the next tick while the key stays disabled', async () => {
    const before = mail.sent.length;
    h.clock.advanceHours(1 / 60);
    await tick();
    expect(mail.sent.length).toBe(before);
  });

  it('alerts every admin once when the key is enabled again, and clears status', async () => {
    h.world.keyVault.setEnabled(keyName, true);
    h.clock.advanceHours(1 / 60);
    await tick();
    await tick();
    expect(alerts('key_access_restored').map((a) => a.recipient!.email).sort()).toEqual(['ann@example.com', 'bob@example.com', 'cat@example.com']);
    expect(alerts('key_access_lost')).toHaveLength(3);
    const [status] = await h.engine.status(s.tenant.id, s.instance);
    expect(status!.keyAccessProblem).toBeNull();
  });

  it('alerts once when the vault becomes unreachable, however many ticks and engines see it', async () => {
    mail.sent.length = 0;
    h.world.keyVault.up = false;
    try {
      await Promise.all([h.engine.checkKeyAccess(), h.engine.checkKeyAccess()]);
      await tick();
      expect(alerts('key_access_lost')).toHaveLength(3);
      expect(alerts('key_access_lost')[0]!.message.title).toContain('did not answer');
    } finally {
      h.world.keyVault.up = true;
    }
    await tick();
    expect(alerts('key_access_restored')).toHaveLength(3);
  }, 60_000);

  it('checks with a cheap get, never an unwrap', async () => {
    const before = h.world.keyVault.calls.length;
    await h.engine.checkKeyAccess();
    const calls = h.world.keyVault.calls.slice(before);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.method === 'GET')).toBe(true);
  });

  it('records the loss and recovery in the audit log', async () => {
    const actions = (await h.engine.listAudit({ tenantId: s.tenant.id, instanceName: s.instance })).map((e) => e.action);
    expect(actions.filter((a) => a === 'key_access_lost')).toHaveLength(2);
    expect(actions.filter((a) => a === 'key_access_restored')).toHaveLength(2);
  });
});
