import { randomBytes } from 'node:crypto';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { EmailChannel } from '../bot/channels/email-channel.js';
import { renderEmailHtml, renderEmailText } from '../bot/channels/render-email.js';
import { cryptoRandom } from '../bot/runtime/crypto-random.js';
import { silentLogger } from '../bot/runtime/json-logger.js';
import { systemClock } from '../bot/runtime/system-clock.js';
import { createEngine, type Engine } from '../core/engine.js';
import { newId } from '../core/ids.js';
import type { Actor } from '../core/model/actor.js';
import type { Admin } from '../core/model/admin.js';
import { noStepHook } from '../core/ports/step-hook.js';
import { createUnitOfWork } from '../db/unit-of-work.js';
import { FakeSmtpServer } from '../test/support/fake-smtp-server.js';
import { LocalVault } from '../vault/local-vault.js';
import type { BenchRow } from './bench-row.js';
import { openPrivateDatabase } from './private-database.js';

const FROM = 'dualkey@dualkey.example.com';
const PASSWORD = 'correct horse battery staple';

/** Seconds elapsed while `fn` runs. */
async function seconds<T>(fn: () => Promise<T>): Promise<{ value: T; s: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, s: (performance.now() - t0) / 1000 };
}

/** A tenant with `count` admins: the first two added by the operator, the rest inserted directly (a bench shortcut past roster approvals). */
async function tenantWithAdmins(engine: Engine, name: string, count: number): Promise<{ tenantId: string; ann: Actor; admins: Map<string, Admin> }> {
  const tenant = await engine.createTenant(name, { selfManagedKeys: true });
  const ann = await engine.addAdmin(tenant.id, { email: `ann@${name}.example.com`, name: 'Ann', role: 'global_admin', instances: [], identities: [] });
  await engine.addAdmin(tenant.id, { email: `bob@${name}.example.com`, name: 'Bob', role: 'global_admin', instances: [], identities: [] });
  const createdAt = systemClock.now();
  await engine.deps.uow.run(async (store) => {
    for (let i = 2; i < count; i++) {
      await store.admins.insert({ id: newId(cryptoRandom), tenantId: tenant.id, email: `admin${i}@${name}.example.com`, name: `Admin ${i}`, role: 'service_admin', instances: [], identities: [], createdAt });
    }
  });
  const admins = new Map((await engine.listAdmins(tenant.id)).map((a) => [a.id, a]));
  return { tenantId: tenant.id, ann: { admin: ann, transport: 'cli', impersonatedBy: 'operator' }, admins };
}

/**
 * One key-change alert fanned out to `admins` admins and delivered through the outbox (claim, send with the
 * EmailChannel, mark sent) to an in-process SMTP server, against a bare nodemailer loop sending the same
 * messages (same subject, bodies, recipients; same non-pooled transport settings) to the same server.
 */
export async function benchAlerts(admins = 1000, rounds = 2): Promise<BenchRow[]> {
  const priv = await openPrivateDatabase();
  const smtp = await FakeSmtpServer.start();
  const email = new EmailChannel({ smtpUrl: smtp.url, from: FROM });
  const bare = nodemailer.createTransport({ url: smtp.url });
  try {
    const vault = new LocalVault({ database: priv.database, masterKey: randomBytes(32), now: () => systemClock.now() });
    const engine = createEngine({ uow: createUnitOfWork(priv.database), vault, clock: systemClock, random: cryptoRandom, logger: silentLogger, steps: noStepHook, alertChannels: ['email'] });
    const channels = { email };

    // Warm-up of both paths (JIT, SMTP server, statements) on a small tenant.
    const warm = await tenantWithAdmins(engine, 'warm', 20);
    await engine.createInstance(warm.tenantId, 'warm');
    await engine.changeKey(warm.ann, 'warm', { kind: 'generate', password: PASSWORD });
    await engine.deliverOutbox({ channels });
    for (let i = 0; i < 20; i++) await bare.sendMail({ from: FROM, to: `warm${i}@example.com`, subject: 'warm-up', text: 'warm-up' });

    const big = await tenantWithAdmins(engine, 'bench', admins);
    let outboxSeconds = 0;
    let bareSeconds = 0;
    let fanOutSeconds = 0;
    for (let round = 1; round <= rounds; round++) {
      const instance = `bench-${round}`;
      await engine.createInstance(big.tenantId, instance);
      // The key change writes one outbox row per admin in its commit (timed as a whole, vault work included).
      const change = await seconds(() => engine.changeKey(big.ann, instance, { kind: 'generate', password: PASSWORD }));
      fanOutSeconds += change.s;
      const rows = await engine.deps.uow.run(async (store) => (await store.outbox.forRequest(change.value.request.id, big.ann.admin.id, 'email'))[0]!.eventId).then((eventId) =>
        engine.deps.uow.run((store) => store.outbox.listForEvent(eventId)),
      );
      if (rows.length !== admins) throw new Error(`expected ${admins} outbox rows, found ${rows.length}`);
      // The same messages for the bare loop, prepared up front: subject, both bodies, recipient.
      const mails: SendMailOptions[] = rows.map((row) => {
        const to = big.admins.get(row.adminId)!;
        const ctx = { recipientEmail: to.email };
        return { from: FROM, to: { name: to.name, address: to.email }, subject: `[dualkey] ${row.message.title}`, messageId: `<bare-${row.id}@dualkey>`, text: renderEmailText(row.message, ctx), html: renderEmailHtml(row.message, ctx) };
      });
      const viaOutbox = async () => {
        const { value: report, s } = await seconds(() => engine.deliverOutbox({ channels }));
        if (report.sent !== admins || report.retried + report.failed > 0) throw new Error(`outbox pass: ${JSON.stringify(report)}`);
        outboxSeconds += s;
      };
      const viaBareLoop = async () => {
        const { s } = await seconds(async () => {
          for (const mail of mails) await bare.sendMail(mail);
        });
        bareSeconds += s;
      };
      // Alternate the order between rounds so neither side always runs on a warmer machine.
      if (round % 2) {
        await viaOutbox();
        await viaBareLoop();
      } else {
        await viaBareLoop();
        await viaOutbox();
      }
    }
    const expected = (admins * 2 + 22) * rounds;
    if (smtp.deliveries.length < admins * 2 * rounds) throw new Error(`SMTP server saw ${smtp.deliveries.length} messages, expected about ${expected}`);
    console.log(`alerts: ${admins} admins × ${rounds} rounds on ${priv.label}; key change with fan-out commit ${((fanOutSeconds / rounds) * 1000).toFixed(0)} ms per round`);
    return [
      {
        name: `key-change alert to ${admins} admins: outbox → EmailChannel vs bare nodemailer loop`,
        dualkey: (admins * rounds) / outboxSeconds,
        baseline: (admins * rounds) / bareSeconds,
        unit: 'mails/s',
        target: { kind: 'ratio_at_least', value: 0.8 },
      },
    ];
  } finally {
    email.close();
    bare.close();
    await smtp.close();
    await priv.dispose();
  }
}
