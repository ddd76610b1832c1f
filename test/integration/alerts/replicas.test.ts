import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../../core/model/actor.js';
import type { Request } from '../../../core/model/request.js';
import { outbox } from '../../../db/schema/index.js';
import { inbox, repeatedSends } from '../../support/alerts-mail.js';
import { startReplicaFleet, type ReplicaFleet } from '../../support/alerts-replicas.js';
import { asCli } from '../../support/engine-harness.js';
import { FakeSmtpServer } from '../../support/fake-smtp-server.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';
import { TestClock } from '../../support/test-clock.js';
import { createTestDatabase, testEngine, type TestDatabase } from '../../support/test-database.js';

const SKIP_REASON = 'PGlite is a single-process embedded database; replicas need the server';
const onServer = testEngine === 'postgres';
const describeOnServer = onServer ? describe : describe.skip;

const ADMINS = ['ann@example.com', 'bob@example.com', 'cat@example.com', 'dan@example.com'] as const;
const upload = (file: string) => ({ kind: 'upload' as const, upload: { file: fixture(file), password: FIXTURE_PASSWORD } });

describeOnServer(`three dualkey replicas on one PostgreSQL database${onServer ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let db: TestDatabase;
  let smtp: FakeSmtpServer;
  let clock: TestClock;
  let fleet: ReplicaFleet;
  let tenantId: string;
  let ann: Actor;
  let bob: Actor;
  let cat: Actor;
  let dan: Actor;

  const rows = () => db.database.transaction((tx) => tx.select().from(outbox).where(eq(outbox.tenantId, tenantId)));
  const requestById = async (id: string) => (await db.uow.run((store) => store.requests.byId(id)))!;
  const audit = async () => fleet.replicas[0]!.engine.listAudit({ tenantId }, 10_000);
  const setClock = (iso: string) => clock.advanceMs(new Date(iso).getTime() - clock.now().getTime());

  /** Every replica ticks and delivers at the same time, several rounds, then every replica delivers once more. */
  async function schedulersRace(rounds = 3): Promise<void> {
    for (let i = 0; i < rounds; i++) await fleet.all((r) => Promise.all([r.scheduler.tick(), r.scheduler.deliver()]));
    await fleet.all((r) => r.scheduler.deliver());
  }

  /** 20 approve clicks at once, spread over the three engines and three deciders. */
  async function clickRace(requestId: string, deciders: Actor[]): Promise<PromiseSettledResult<Request>[]> {
    return Promise.allSettled(Array.from({ length: 20 }, (_, i) => fleet.replicas[i % 3]!.engine.decide(deciders[i % deciders.length]!, requestId, 'approve')));
  }

  beforeEach(async () => {
    db = await createTestDatabase();
    smtp = await FakeSmtpServer.start();
    // Setup happens ten minutes before the tenant's digest minute (daily 09:00 UTC by default).
    clock = new TestClock('2026-11-29T08:50:00Z');
    fleet = await startReplicaFleet({ count: 3, databaseUrl: db.databaseUrl!, clock, smtpUrl: smtp.url });
    const [r1, r2] = fleet.replicas;
    const engine = r1!.engine;
    const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
    tenantId = tenant.id;
    ann = asCli(await engine.addAdmin(tenant.id, { email: 'ann@example.com', name: 'Ann', role: 'global_admin', instances: [], identities: [] }));
    bob = asCli(await engine.addAdmin(tenant.id, { email: 'bob@example.com', name: 'Bob', role: 'global_admin', instances: [], identities: [] }));
    for (const name of ['crm-prod', 'hr-prod', 'erp-prod']) await engine.createInstance(tenant.id, name);
    // Roster changes go through the two-person rule: requested on one replica, approved on another.
    for (const [email, name, role] of [['cat@example.com', 'Cat', 'service_admin'], ['dan@example.com', 'Dan', 'global_admin']] as const) {
      const request = await engine.requestAdminChange(ann, { operation: 'admin_add', email, name, role, instances: [], identities: [] });
      await r2!.engine.decide(bob, request.id, 'approve');
    }
    cat = asCli(await engine.adminByEmail(tenant.id, 'cat@example.com'));
    dan = asCli(await engine.adminByEmail(tenant.id, 'dan@example.com'));
  });
  afterEach(async () => {
    await fleet?.close();
    await smtp?.close();
    await db?.dispose();
  });

  it('decides a request exactly once when 20 approve clicks race across the three replicas', async () => {
    clock.advanceHours(1 / 60);
    const { request } = await fleet.replicas[0]!.engine.changeKey(ann, 'crm-prod', upload('rsa-2048.pfx'));
    clock.advanceHours(1);

    const results = await clickRace(request.id, [bob, cat, dan]);
    const won = results.filter((r): r is PromiseFulfilledResult<Request> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => (r.reason as { code?: string }).code)).toEqual(Array.from({ length: 19 }, () => 'request_closed'));
    const decided = await requestById(request.id);
    expect(decided).toMatchObject({ state: 'approved', decidedBy: won[0]!.value.decidedBy });

    const entries = (await audit()).filter((e) => e.requestId === request.id && e.action === 'approve');
    expect(entries.filter((e) => e.result === 'ok')).toHaveLength(1);
    expect(entries.filter((e) => e.result === 'refused').map((e) => e.code)).toEqual(Array.from({ length: 19 }, () => 'request_closed'));
    expect((await fleet.replicas[1]!.engine.verifyAudit()).ok).toBe(true);
    // One decision, so one follow-up per admin, threaded under that admin's alert.
    const decisions = (await rows()).filter((r) => r.requestId === request.id && r.message.event === 'request_decided');
    expect(decisions.map((r) => r.adminId).sort()).toEqual([ann, bob, cat, dan].map((a) => a.admin.id).sort());
    const protectors = await db.uow.run((store) => store.protectors.listByInstance(request.instanceId!));
    expect(protectors.map((p) => p.status).sort()).toEqual(['active', 'retired']);

    await schedulersRace();
    for (const address of ADMINS) {
      const mail = inbox(smtp, address).filter((m) => m.subject.includes('crm-prod'));
      expect(mail.map((m) => m.subject)).toEqual([expect.stringMatching(/^\[dualkey\] Key changed on crm-prod/), expect.stringMatching(/^Re: \[dualkey\] Key changed on crm-prod/)]);
    }
    expect(repeatedSends(smtp)).toEqual([]);
  });

  it('applies each deadline once, queues each reminder and digest once, and delivers every alert once per admin while three schedulers race', async () => {
    const r1 = fleet.replicas[0]!;
    // 08:55: three key changes, all through one replica; review deadlines are 2026-12-02 08:55 UTC.
    clock.advanceHours(5 / 60);
    const crm = (await r1.engine.changeKey(ann, 'crm-prod', upload('rsa-2048.pfx'))).request;
    const hr = (await r1.engine.changeKey(ann, 'hr-prod', upload('rsa-2048-other.pfx'))).request;
    const erp = (await r1.engine.changeKey(bob, 'erp-prod', upload('rsa-3072.pfx'))).request;
    // One-row claims make the three workers interleave row by row (the scheduler claims 50 at a time).
    const perReplica = await fleet.all((r) => r.engine.deliverOutbox({ channels: { email: r.email }, batchSize: 1 }));
    expect(perReplica.reduce((n, d) => n + d.sent, 0)).toBe(24);
    await schedulersRace();
    expect((await rows()).filter((r) => r.message.event === 'digest')).toEqual([]);

    // 09:00, the digest minute: one digest per admin, however many replicas tick.
    setClock('2026-11-29T09:00:00Z');
    await schedulersRace();
    // 09:10: crm-prod is approved by one of 20 racing clicks.
    setClock('2026-11-29T09:10:00Z');
    expect((await clickRace(crm.id, [bob, cat, dan])).filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await schedulersRace();

    // 24 h and 1 h before the deadline: reminders for the two still pending; the next day's digest in between.
    setClock('2026-12-01T08:55:00Z');
    await schedulersRace();
    setClock('2026-12-01T09:00:00Z');
    await schedulersRace();
    setClock('2026-12-02T07:55:00Z');
    await schedulersRace();
    // The deadline passes: hr-prod and erp-prod expire unreviewed and are rolled back (tenant policy), once each.
    setClock('2026-12-02T08:55:00Z');
    await schedulersRace();
    setClock('2026-12-02T09:00:00Z');
    await schedulersRace();

    // Each deadline applied once: request state, one expiry audit entry, one set of alerts.
    for (const request of [hr, erp]) {
      expect(await requestById(request.id)).toMatchObject({ state: 'expired_rolled_back', decidedBy: null, decidedAt: new Date('2026-12-02T08:55:00Z') });
      const expiries = (await audit()).filter((e) => e.requestId === request.id && e.action === 'expire');
      expect(expiries.map((e) => [e.result, e.actor.kind, e.details.outcome])).toEqual([['ok', 'scheduler', 'expired_rolled_back']]);
      const instance = await db.uow.run((store) => store.instances.byId(request.instanceId!));
      expect(instance).toMatchObject({ state: 'active', keyMode: 'service', protectorId: request.payload.previousProtectorId });
    }
    expect(await requestById(crm.id)).toMatchObject({ state: 'approved' });
    expect((await audit()).filter((e) => e.requestId === crm.id && e.action === 'approve' && e.result === 'ok')).toHaveLength(1);
    expect((await r1.engine.verifyAudit()).ok).toBe(true);

    const all = await rows();
    const adminEmail = new Map((await r1.engine.listAdmins(tenantId)).map((a) => [a.id, a.email]));
    const count = (keys: string[]) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>());
    const everyAdmin = (prefix: string, except: string | null = null) => ADMINS.filter((a) => a !== except).map((a) => `${prefix} → ${a}`).sort();

    // One decision alert per admin per request: one approval, two expiries.
    const decided = count(all.filter((r) => r.message.event === 'request_decided' && r.message.instanceName).map((r) => `${r.message.instanceName} ${r.message.status} → ${adminEmail.get(r.adminId!)}`));
    expect([...decided.values()].every((n) => n === 1)).toBe(true);
    expect([...decided.keys()].sort()).toEqual([
      ...everyAdmin(`crm-prod approved by ${adminEmail.get((await requestById(crm.id)).decidedBy!)} at 2026-11-29 09:10 UTC`),
      ...everyAdmin('erp-prod expired unreviewed and was rolled back at 2026-12-02 08:55 UTC'),
      ...everyAdmin('hr-prod expired unreviewed and was rolled back at 2026-12-02 08:55 UTC'),
    ].sort());

    // Reminders once per admin per reminder point, never to the requester.
    const reminders = count(all.filter((r) => r.message.event === 'reminder').map((r) => `${r.message.instanceName} ${/— (\d+ hours?) left/.exec(r.message.title)![1]} → ${adminEmail.get(r.adminId!)}`));
    expect([...reminders.values()].every((n) => n === 1)).toBe(true);
    expect([...reminders.keys()].sort()).toEqual([
      ...everyAdmin('hr-prod 24 hours', 'ann@example.com'), ...everyAdmin('hr-prod 1 hour', 'ann@example.com'),
      ...everyAdmin('erp-prod 24 hours', 'bob@example.com'), ...everyAdmin('erp-prod 1 hour', 'bob@example.com'),
    ].sort());

    // One digest per admin per period, each describing the tenant at its minute.
    for (const address of ADMINS) {
      expect(inbox(smtp, address).filter((m) => m.subject.startsWith('[dualkey] dualkey digest')).map((m) => m.subject)).toEqual([
        '[dualkey] dualkey digest for acme — 3 pending, 0 locked, 0 undelivered',
        '[dualkey] dualkey digest for acme — 2 pending, 0 locked, 0 undelivered',
        '[dualkey] dualkey digest for acme — 0 pending, 0 locked, 0 undelivered',
      ]);
    }
    expect(all.filter((r) => r.message.event === 'digest')).toHaveLength(3 * ADMINS.length);

    // Every alert delivered exactly once per admin per channel: each row sent on its first attempt, and
    // the SMTP server saw each Message-ID (the row id) exactly once — the raw count, not the mailbox.
    expect(all.filter((r) => r.state !== 'sent' || r.attempts !== 1).map((r) => [r.message.event, r.state, r.attempts])).toEqual([]);
    expect(repeatedSends(smtp)).toEqual([]);
    expect(smtp.deliveries.map((m) => m.messageId).sort()).toEqual(all.map((r) => `<${r.id}@dualkey>`).sort());
    for (const address of ADMINS) {
      const own = all.filter((r) => adminEmail.get(r.adminId!) === address);
      expect(smtp.deliveriesTo(address)).toBe(own.length);
      expect(smtp.mailbox(address)).toHaveLength(own.length);
    }
    // No scheduler pass failed and no delivery gave up on any replica.
    for (const r of fleet.replicas) expect(r.logger.lines.filter((l) => /"level":"(warn|error)","msg":"(scheduler|outbox)/.test(l))).toEqual([]);
  });
});
