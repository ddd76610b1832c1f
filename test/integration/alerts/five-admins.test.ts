import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmailChannel } from '../../../bot/channels/email-channel.js';
import { nodeCronSchedule } from '../../../bot/runtime/node-cron-schedule.js';
import { Scheduler } from '../../../bot/scheduler/scheduler.js';
import type { Actor } from '../../../core/model/actor.js';
import type { RoleName } from '../../../core/model/admin.js';
import { outbox } from '../../../db/schema/index.js';
import { inbox, messageIdOf, repeatedSends, type InboxLine } from '../../support/alerts-mail.js';
import { addApprovedAdmin, asCli, createHarness, type Harness } from '../../support/engine-harness.js';
import { FakeSmtpServer } from '../../support/fake-smtp-server.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

/**
 * The acceptance test of "alerts to every admin, exactly once": five admins, a key change driven by the
 * real scheduler (tick = recovery, deadlines, reminders, digests; deliver = one outbox pass) with an
 * injected clock, and the exact list of e-mails each admin ends up with — roster changes included.
 */

const EMAILS = ['ann@example.com', 'bob@example.com', 'cat@example.com', 'dan@example.com', 'eve@example.com'] as const;
type Email = (typeof EMAILS)[number];

// The roster is built at 09:00 on 2026-11-29 (the test clock's start): roster requests are due 72 h later.
const ROSTER_DEADLINE = '2026-12-02 09:00 UTC';
const ROSTER_DECIDED = '2026-11-29 09:00 UTC';
// The key is uploaded at 09:14, so its review deadline is 2026-12-02 09:14 UTC.
const KEY_DEADLINE = '2026-12-02 09:14 UTC';
const OPENED = `[dualkey] Key changed on crm-prod by ann@example.com — review by ${KEY_DEADLINE}`;

describe('five admins through a key change: the exact e-mails each one receives', () => {
  let h: Harness;
  let smtp: FakeSmtpServer;
  let email: EmailChannel;
  let scheduler: Scheduler;
  let ann: Actor;
  let bob: Actor;
  let tenantId: string;

  const rosterAdds: Array<{ email: Email; name: string; role: RoleName; instances: string[]; described: string }> = [
    { email: 'cat@example.com', name: 'Cat', role: 'system_admin', instances: ['crm-prod'], described: 'add Cat <cat@example.com> as system_admin of crm-prod' },
    { email: 'dan@example.com', name: 'Dan', role: 'service_admin', instances: [], described: 'add Dan <dan@example.com> as service_admin' },
    { email: 'eve@example.com', name: 'Eve', role: 'global_admin', instances: [], described: 'add Eve <eve@example.com> as global_admin' },
  ];

  /** What every admin received while the roster was built (ann requests, bob approves, one addition at a time). */
  function rosterMail(): Record<Email, InboxLine[]> {
    const expected = Object.fromEntries(EMAILS.map((e) => [e, [] as InboxLine[]])) as Record<Email, InboxLine[]>;
    const admins: Email[] = ['ann@example.com', 'bob@example.com'];
    for (const add of rosterAdds) {
      const requested = `[dualkey] Admin change requested by ann@example.com: ${add.described} — approve by ${ROSTER_DEADLINE}`;
      // Admins who got the request get the decision as a reply in its thread.
      for (const a of admins) {
        expected[a].push({ subject: requested, inReplyTo: null });
        expected[a].push({ subject: `Re: ${requested}`, inReplyTo: messageIdOf(smtp, a, requested) });
      }
      // The new admin had no earlier copy: the decision reaches them as a new message.
      expected[add.email].push({ subject: `[dualkey] Admin change (${add.described}) approved by bob@example.com at ${ROSTER_DECIDED}`, inReplyTo: null });
      admins.push(add.email);
    }
    return expected;
  }

  /** The rows of the outbox and the server's raw transfers must agree: every row sent once, on its first attempt. */
  async function expectEveryAlertSentOnce(): Promise<void> {
    const rows = await h.db.database.transaction((tx) => tx.select().from(outbox).where(eq(outbox.tenantId, tenantId)));
    expect(rows.map((r) => [r.state, r.attempts]).filter(([state, attempts]) => state !== 'sent' || attempts !== 1)).toEqual([]);
    expect(repeatedSends(smtp)).toEqual([]);
    expect(smtp.deliveries).toHaveLength(rows.length);
    expect(smtp.refusals).toEqual([]);
  }

  /** Several ticks and delivery passes at the current time: repeating them must change nothing. */
  async function schedulerRuns(): Promise<void> {
    for (let i = 0; i < 2; i++) {
      await scheduler.tick();
      await scheduler.deliver();
    }
  }

  beforeEach(async () => {
    h = await createHarness();
    smtp = await FakeSmtpServer.start();
    email = new EmailChannel({ smtpUrl: smtp.url, from: 'dualkey@dualkey.example.com', publicUrl: 'https://dualkey.example.com' });
    scheduler = new Scheduler({ engine: h.engine, channels: { email }, schedule: nodeCronSchedule(), logger: h.logger, reminderHours: [24, 1] });

    const tenant = await h.engine.createTenant('acme', { selfManagedKeys: true });
    tenantId = tenant.id;
    const add = async (address: string, name: string) => asCli(await h.engine.addAdmin(tenant.id, { email: address, name, role: 'global_admin', instances: [], identities: [] }));
    ann = await add('ann@example.com', 'Ann');
    bob = await add('bob@example.com', 'Bob');
    await h.engine.createInstance(tenant.id, 'crm-prod');
    for (const { described: _, ...input } of rosterAdds) {
      await addApprovedAdmin(h, { ann, bob }, { ...input, identities: [] });
      await scheduler.deliver();
    }
    expect((await h.engine.listAdmins(tenant.id)).map((a) => a.email)).toEqual([...EMAILS]);
    h.clock.advanceMs(14 * 60_000);
  });
  afterEach(async () => {
    email.close();
    await smtp.close();
    await h.dispose();
  });

  /**
   * ann uploads at 09:14; the scheduler runs then, 48 h later (24 h reminders) and 23 h after that (1 h
   * reminders); `beforeLastRun` lets a scenario change the world just before the 1 h reminders.
   */
  async function uploadAndRemind(beforeLastRun: () => void = () => {}): Promise<string> {
    const { request } = await h.engine.changeKey(ann, 'crm-prod', { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    await schedulerRuns();
    h.clock.advanceHours(48);
    await schedulerRuns();
    h.clock.advanceHours(23);
    beforeLastRun();
    await schedulerRuns();
    return request.id;
  }

  /** The roster mail, then the key change's opened alert, the two reminders (not to the requester) and the decision follow-up. */
  function expectedMail(requestId: string): Record<Email, InboxLine[]> {
    const expected = rosterMail();
    for (const a of EMAILS) {
      const opened = messageIdOf(smtp, a, OPENED);
      expected[a].push({ subject: OPENED, inReplyTo: null });
      if (a !== 'ann@example.com') {
        for (const left of ['24 hours', '1 hour']) {
          expected[a].push({ subject: `[dualkey] Reminder: Key change ${requestId} on crm-prod awaits a decision — ${left} left (deadline ${KEY_DEADLINE})`, inReplyTo: null });
        }
      }
      expected[a].push({ subject: `Re: ${OPENED}`, inReplyTo: opened });
    }
    return expected;
  }

  it('sends each admin the opened alert, reminders unless they requested it, and one approval follow-up threaded under their alert — no more, no fewer', async () => {
    const requestId = await uploadAndRemind();
    h.clock.advanceHours(0.5);
    await h.engine.decide(bob, requestId, 'approve');
    await schedulerRuns();
    // An hour later (past the deadline; not a digest minute) the scheduler has nothing more to send.
    h.clock.advanceHours(1);
    await schedulerRuns();

    const expected = expectedMail(requestId);
    for (const a of EMAILS) expect({ admin: a, mail: inbox(smtp, a) }).toEqual({ admin: a, mail: expected[a] });
    for (const a of EMAILS) {
      const [followUp] = smtp.mailbox(a).filter((m) => m.subject === `Re: ${OPENED}`);
      expect(followUp!.text).toMatch(/^Resolved: approved by bob@example\.com at 2026-12-02 08:44 UTC$/m);
      expect(followUp!.references).toBe(messageIdOf(smtp, a, OPENED));
    }
    await expectEveryAlertSentOnce();
  });

  it('tells every admin, in the thread of their alert, that the unreviewed change expired and was rolled back', async () => {
    const requestId = await uploadAndRemind();
    h.clock.advanceHours(1);
    await schedulerRuns();

    const request = await h.db.uow.run((store) => store.requests.byId(requestId));
    expect(request).toMatchObject({ state: 'expired_rolled_back', decidedBy: null });
    const expected = expectedMail(requestId);
    for (const a of EMAILS) expect({ admin: a, mail: inbox(smtp, a) }).toEqual({ admin: a, mail: expected[a] });
    for (const a of EMAILS) {
      const [followUp] = smtp.mailbox(a).filter((m) => m.subject === `Re: ${OPENED}`);
      expect(followUp!.text).toMatch(new RegExp(`^Resolved: expired unreviewed and was rolled back at ${KEY_DEADLINE}$`, 'm'));
    }
    await expectEveryAlertSentOnce();
  });

  // A reminder queued while the request was pending must not go out once it is decided — here the SMTP
  // server refused while the 1 h reminders were queued (a delivery gap or a replica race does the same).
  it('does not send a reminder about a request that was decided before the reminder went out', async () => {
    // The 1 h reminders are queued while the SMTP server refuses; bob approves before it recovers.
    const requestId = await uploadAndRemind(() => smtp.refuseAll(451));
    h.clock.advanceHours(0.5);
    await h.engine.decide(bob, requestId, 'approve');
    smtp.accept();
    await schedulerRuns();

    const expected = expectedMail(requestId);
    for (const a of EMAILS) {
      const withoutStaleReminder = expected[a].filter((m) => !m.subject.includes('1 hour left'));
      expect({ admin: a, mail: inbox(smtp, a) }).toEqual({ admin: a, mail: withoutStaleReminder });
    }
    expect(repeatedSends(smtp)).toEqual([]);
  });
});

describe('reminders on a deployment that delivers on chat only (no SMTP)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.dispose());

  // Reminders take their content from the requester's copy of the alert on whichever channel exists:
  // a Slack-only or Teams-only deployment gets them too.
  it('queues the 24 h reminder on Slack for every admin but the requester', async () => {
    // A Slack-only deployment, as its server recorded it at start.
    await h.db.uow.run((store) => store.deploymentChannels.replace(['slack'], h.clock.now()));
    const engine = h.engine;
    const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
    const add = async (address: string, name: string, userId: string) =>
      asCli(await engine.addAdmin(tenant.id, { email: address, name, role: 'global_admin', instances: [], identities: [{ platform: 'slack', workspace: 'T01', userId }] }));
    const ann = await add('ann@example.com', 'Ann', 'U0ANN');
    const bob = await add('bob@example.com', 'Bob', 'U0BOB');
    await engine.createInstance(tenant.id, 'crm-prod');
    h.clock.advanceHours(1 / 60);
    const { request } = await engine.changeKey(ann, 'crm-prod', { kind: 'upload', upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });
    const opened = await h.db.database.transaction((tx) => tx.select().from(outbox).where(eq(outbox.requestId, request.id)));
    expect(opened.map((r) => r.channel)).toEqual(['slack', 'slack']);

    h.clock.advanceHours(48);
    expect(await engine.queueReminders([24, 1])).toBe(1);
    const reminders = (await h.db.database.transaction((tx) => tx.select().from(outbox).where(eq(outbox.requestId, request.id)))).filter((r) => r.message.event === 'reminder');
    expect(reminders.map((r) => [r.adminId, r.channel])).toEqual([[bob.admin.id, 'slack']]);
  });
});
