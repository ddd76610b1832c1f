import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LEASE_MS, deliverOutbox, type DeliveryReport } from '../../../core/alerts/deliver-outbox.js';
import { DEFAULT_RETRY_POLICY } from '../../../core/alerts/retry-policy.js';
import type { Actor } from '../../../core/model/actor.js';
import type { AlertMessage } from '../../../core/model/outbox-message.js';
import { EmailChannel } from '../../../bot/channels/email-channel.js';
import { outbox } from '../../../db/schema/index.js';
import { addApprovedAdmin, asCli, createHarness, seedTenant, type Harness, type Seeded } from '../../support/engine-harness.js';
import { FakeSmtpServer } from '../../support/fake-smtp-server.js';
import { SimulatedCrash } from '../../support/fault-hook.js';
import { FIXTURE_PASSWORD, fixture } from '../../support/key-fixtures.js';

const SUBJECT = '[dualkey] Key changed on crm-prod by ann@example.com — review by 2026-12-02 09:14 UTC';
const SMTP_AUTH = { user: 'dualkey', pass: 'sm:tp/p@ss' };
const upload = () => ({ kind: 'upload' as const, upload: { file: fixture('rsa-2048.pfx'), password: FIXTURE_PASSWORD } });

describe('e-mail alerts through the outbox', () => {
  let h: Harness;
  let s: Seeded;
  let smtp: FakeSmtpServer;
  let email: EmailChannel;
  let admins: Actor[];

  const deliver = (): Promise<DeliveryReport> => deliverOutbox(h.engine.deps, { channels: { email } });
  const rowsOf = (requestId: string) => h.db.database.transaction((tx) => tx.select().from(outbox).where(eq(outbox.requestId, requestId)));
  /** Opens a key change as `actor` and returns its request id. */
  const changeKey = async (actor: Actor = s.ann) => (await h.engine.changeKey(actor, s.instance, upload())).request.id;
  /** Runs delivery passes, moving the clock to the next retry each time, until no row of the request is pending. */
  const deliverUntilSettled = async (requestId: string, onPass: (report: DeliveryReport) => Promise<void> = async () => {}) => {
    for (let pass = 0; pass < 50; pass++) {
      const pending = (await rowsOf(requestId)).filter((r) => r.state === 'pending');
      if (pending.length === 0) return;
      const next = Math.min(...pending.map((r) => r.nextAttemptAt.getTime()));
      if (next > h.clock.now().getTime()) h.clock.advanceMs(next - h.clock.now().getTime());
      await onPass(await deliver());
    }
    throw new Error('delivery did not settle in 50 passes');
  };

  beforeEach(async () => {
    h = await createHarness();
    s = await seedTenant(h);
    admins = [s.ann, s.bob, s.cat];
    smtp = await FakeSmtpServer.start({ auth: SMTP_AUTH });
    email = new EmailChannel({ smtpUrl: smtp.url, from: 'dualkey@dualkey.example.com', publicUrl: 'https://dualkey.example.com' });
    // Seeding adds cat through a roster request: deliver its alerts so each test starts from an empty mailbox.
    await deliver();
    smtp.clear();
    // Seeding ends at 09:01; a 72-hour review window opened at 09:14 ends at 2026-12-02 09:14 UTC.
    h.clock.advanceMs(13 * 60_000);
  });
  afterEach(async () => {
    email.close();
    await smtp.close();
    await h.dispose();
  });

  it('sends nothing to an admin removed after the alert was queued, and the rest of the batch still goes out', async () => {
    const requestId = await changeKey();
    await h.db.uow.run((store) => store.admins.remove(s.cat.admin.id));
    expect(await deliver()).toEqual({ sent: 2, retried: 0, failed: 1, skipped: 0 });
    expect(smtp.mailbox(s.cat.admin.email)).toEqual([]);
    expect(smtp.mailbox(s.ann.admin.email)).toHaveLength(1);
    expect(smtp.mailbox(s.bob.admin.email)).toHaveLength(1);
    const cat = (await rowsOf(requestId)).find((r) => r.adminId === s.cat.admin.id)!;
    expect(cat).toMatchObject({ state: 'failed', lastError: 'the recipient is no longer an admin' });
  });

  it('sends every admin one e-mail about a key change: exact subject, the facts, and what to type to act', async () => {
    const requestId = await changeKey();
    expect(await deliver()).toEqual({ sent: 3, retried: 0, failed: 0, skipped: 0 });
    expect(smtp.deliveries).toHaveLength(3);
    const rows = await rowsOf(requestId);
    for (const { admin } of admins) {
      const [mail, ...more] = smtp.mailbox(admin.email);
      expect(more).toEqual([]);
      const row = rows.find((r) => r.adminId === admin.id)!;
      expect(row).toMatchObject({ state: 'sent', attempts: 1, platformRef: { messageId: `<${row.id}@dualkey>`, subject: SUBJECT } });
      expect(mail).toMatchObject({ from: 'dualkey@dualkey.example.com', subject: SUBJECT, messageId: `<${row.id}@dualkey>`, inReplyTo: null });
      for (const [label, value] of row.message.facts) {
        expect(mail!.text).toMatch(new RegExp(`^${label}:\\s+${escapeRegExp(value)}$`, 'm'));
        expect(mail!.html).toContain(`>${escapeHtml(label)}</th><td style="padding: 2px 0">${escapeHtml(value)}</td>`);
      }
      for (const verb of ['approve', 'rollback']) {
        expect(mail!.text).toContain(`/dualkey ${verb} ${requestId}  or  dualkey ${verb} ${requestId} --token-file <your CLI token file>`);
        expect(mail!.text).not.toContain('--as');
        expect(mail!.html).toContain(`<code>dualkey ${verb} ${requestId} --token-file &lt;your CLI token file&gt;</code>`);
      }
      expect(mail!.text).toContain('The previous key becomes active again');
    }
  });

  it('escapes every value in the HTML body (names with <script> and &)', async () => {
    const name = 'Dan <script>alert("x")</script> & Sons';
    const dan = asCli(await addApprovedAdmin(h, s, { email: 'dan@example.com', name, role: 'service_admin', instances: [], identities: [] }));
    await deliver();
    smtp.clear();
    await changeKey(dan);
    expect(await deliver()).toMatchObject({ sent: 4, failed: 0 });
    const [mail] = smtp.mailbox('bob@example.com');
    expect(mail!.html).not.toContain('<script>');
    expect(mail!.html).toContain('Dan &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons &lt;dan@example.com&gt;');
    // The text body is not HTML: it carries the name as typed.
    expect(mail!.text).toContain(`${name} <dan@example.com>`);
  });

  it('escapes a hostile title, facts and confirmation text in HTML, and names the recipient in the CLI hint', async () => {
    // Instance names and e-mail addresses cannot carry markup (names are validated), but titles, facts and labels can.
    const recipient = await h.engine.adminByEmail(s.tenant.id, 'bob@example.com');
    const hostile = '<img src=x onerror="alert(1)"> & \'quoted\'';
    const message: AlertMessage = {
      event: 'test',
      title: `Title ${hostile}`,
      facts: [[`Label ${hostile}`, `Value ${hostile}`]],
      actions: [{ id: 'rollback', label: `Roll ${hostile}`, style: 'danger', requestId: 'r-abc', confirm: `Sure? ${hostile}` }],
      status: null,
      requestId: 'r-abc',
      instanceName: 'crm-prod',
    };
    expect(await email.deliver({ idempotencyKey: 'hostile-1', recipient, address: null, message, uncertain: false })).toMatchObject({ ok: true });
    const [mail] = smtp.mailbox('bob@example.com');
    expect(mail!.subject).toBe(`[dualkey] Title ${hostile}`);
    expect(mail!.html).not.toMatch(/<img|'quoted'/);
    expect(mail!.html!.match(/&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt; &amp; &#39;quoted&#39;/g)).toHaveLength(5);
    expect(mail!.text).toContain(`- Roll ${hostile}: /dualkey rollback r-abc  or  dualkey rollback r-abc --token-file <your CLI token file>`);
  });

  it('keeps retrying while the server refuses our credentials, and never records the password', async () => {
    const wrong = new EmailChannel({ smtpUrl: smtp.url.replace(encodeURIComponent(SMTP_AUTH.pass), encodeURIComponent('not-the-password')), from: 'dualkey@dualkey.example.com' });
    const requestId = await changeKey();
    expect(await deliverOutbox(h.engine.deps, { channels: { email: wrong } })).toEqual({ sent: 0, retried: 3, failed: 0, skipped: 0 });
    const rows = await rowsOf(requestId);
    expect(rows.map((r) => r.lastError)).toEqual(Array.from({ length: 3 }, () => expect.stringMatching(/^SMTP 535 after AUTH /)));
    expect(JSON.stringify(rows)).not.toContain('not-the-password');
    // Once the configuration is fixed, the queued alerts go out.
    h.clock.advanceMs(DEFAULT_RETRY_POLICY.baseDelayMs);
    expect(await deliver()).toEqual({ sent: 3, retried: 0, failed: 0, skipped: 0 });
  });

  it('follows a decision up with one reply per admin, threaded under the original alert', async () => {
    const requestId = await changeKey();
    await deliver();
    h.clock.advanceHours(1);
    await h.engine.decide(s.bob, requestId, 'approve');
    expect(await deliver()).toEqual({ sent: 3, retried: 0, failed: 0, skipped: 0 });
    for (const { admin } of admins) {
      const [original, followUp, ...more] = smtp.mailbox(admin.email);
      expect(more).toEqual([]);
      expect(followUp).toMatchObject({ subject: `Re: ${SUBJECT}`, inReplyTo: original!.messageId, references: original!.messageId });
      expect(followUp!.messageId).not.toBe(original!.messageId);
      expect(followUp!.text).toMatch(/^Resolved: approved by bob@example\.com at 2026-11-29 10:14 UTC$/m);
      expect(followUp!.text).not.toContain('--as');
    }
  });

  it('loses nothing while the server refuses with 451: rows back off, then every alert arrives exactly once', async () => {
    const recoverAt = h.clock.now().getTime() + 10 * 60_000;
    smtp.refuseUntil(() => h.clock.now().getTime() >= recoverAt);
    const requestId = await changeKey();
    let sawBackoff = 0;
    const attemptsSeen = new Map<string, number>();
    await deliverUntilSettled(requestId, async () => {
      for (const row of (await rowsOf(requestId)).filter((r) => r.state === 'pending')) {
        if (attemptsSeen.get(row.id) === row.attempts) continue;
        attemptsSeen.set(row.id, row.attempts);
        // Attempt n failed in this pass: the next one is due after half to all of 30 s × 2^(n-1).
        const exp = DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** (row.attempts - 1);
        const wait = row.nextAttemptAt.getTime() - h.clock.now().getTime();
        expect(wait).toBeGreaterThanOrEqual(exp / 2);
        expect(wait).toBeLessThanOrEqual(exp);
        expect(row.lastError).toMatch(/^SMTP 451 /);
        sawBackoff++;
      }
    });
    expect(sawBackoff).toBeGreaterThanOrEqual(9);
    expect(smtp.refusals.length).toBeGreaterThanOrEqual(9);
    expect(smtp.deliveries).toHaveLength(3);
    for (const { admin } of admins) {
      expect(smtp.mailbox(admin.email).map((m) => m.subject)).toEqual([SUBJECT]);
    }
    expect((await rowsOf(requestId)).map((r) => r.state)).toEqual(['sent', 'sent', 'sent']);
  });

  it('marks rows failed after one attempt when the server refuses for good (550), and lists them', async () => {
    smtp.refuseAll(550);
    const requestId = await changeKey();
    expect(await deliver()).toEqual({ sent: 0, retried: 0, failed: 3, skipped: 0 });
    const rows = await rowsOf(requestId);
    expect(rows.map((r) => [r.state, r.attempts])).toEqual([['failed', 1], ['failed', 1], ['failed', 1]]);
    const failed = await h.db.uow.run((store) => store.outbox.failed(s.tenant.id, 10));
    expect(failed.map((r) => r.id).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(failed[0]!.lastError).toMatch(/^SMTP 550 /);
    smtp.accept();
    h.clock.advanceHours(3);
    expect(await deliver()).toEqual({ sent: 0, retried: 0, failed: 0, skipped: 0 });
    expect(smtp.deliveries).toEqual([]);
  });

  it('gives up on a row that keeps failing with 451 after the last attempt', async () => {
    smtp.refuseAll(451);
    const requestId = await changeKey();
    await deliverUntilSettled(requestId);
    const rows = await rowsOf(requestId);
    expect(rows.map((r) => [r.state, r.attempts])).toEqual(Array.from({ length: 3 }, () => ['failed', DEFAULT_RETRY_POLICY.maxAttempts]));
    expect(smtp.refusals).toHaveLength(3 * DEFAULT_RETRY_POLICY.maxAttempts);
    expect(await h.db.uow.run((store) => store.outbox.failed(s.tenant.id, 10))).toHaveLength(3);
  });

  it('resends with the same Message-ID after a worker died between sending and marking: one copy per mailbox', async () => {
    const requestId = await changeKey();
    h.faults.arm('outbox:sent');
    // One row at a time in one loop, so the "crash" stops the worker before it touches the other rows.
    await expect(deliverOutbox(h.engine.deps, { channels: { email }, concurrency: 1, workers: 1 })).rejects.toBeInstanceOf(SimulatedCrash);
    const [first] = smtp.deliveries;
    expect(smtp.deliveries).toHaveLength(1);
    expect((await rowsOf(requestId)).map((r) => r.state)).toEqual(['sending', 'sending', 'sending']);

    // While the dead worker's lease runs, nobody else touches its rows.
    h.clock.advanceMs(DEFAULT_LEASE_MS - 1);
    expect(await deliverOutbox(h.restart().deps, { channels: { email } })).toEqual({ sent: 0, retried: 0, failed: 0, skipped: 0 });
    h.clock.advanceMs(1);
    expect(await deliverOutbox(h.engine.deps, { channels: { email } })).toEqual({ sent: 3, retried: 0, failed: 0, skipped: 0 });

    expect(smtp.deliveries).toHaveLength(4);
    const again = smtp.deliveries.slice(1).find((m) => m.to[0] === first!.to[0]);
    expect(again!.messageId).toBe(first!.messageId);
    expect(smtp.deliveriesTo(first!.to[0]!)).toBe(2);
    for (const { admin } of admins) expect(smtp.mailbox(admin.email)).toHaveLength(1);
    expect((await rowsOf(requestId)).map((r) => [r.state, r.attempts])).toEqual([['sent', 2], ['sent', 2], ['sent', 2]]);
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
