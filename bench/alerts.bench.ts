import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { EmailChannel } from '../bot/channels/email-channel.js';
import { renderEmailHtml, renderEmailText } from '../bot/channels/render-email.js';
import { cryptoRandom } from '../bot/runtime/crypto-random.js';
import { silentLogger } from '../bot/runtime/json-logger.js';
import { systemClock } from '../bot/runtime/system-clock.js';
import { createEngine, type Engine } from '../core/engine.js';
import { newId } from '../core/ids.js';
import type { Actor } from '../core/model/actor.js';
import type { Admin } from '../core/model/admin.js';
import type { OutboxDelivery } from '../core/model/outbox-message.js';
import type { AlertChannel } from '../core/ports/alert-channel.js';
import { noStepHook } from '../core/ports/step-hook.js';
import { createUnitOfWork } from '../db/unit-of-work.js';
import { FakeSmtpServer } from '../test/support/fake-smtp-server.js';
import { LocalVault } from '../vault/local-vault.js';
import type { BenchRow } from './bench-row.js';
import { openPrivateDatabase } from './private-database.js';

const FROM = 'dualkey@dualkey.example.com';
const PASSWORD = 'correct horse battery staple';

/** One way of delivering the fanned-out alert through the outbox. */
interface Variant {
  name: string;
  channel: AlertChannel;
  /** Concurrent `deliverOutbox` passes (as several workers or replicas would run). */
  workers: number;
  /** The target applies to dualkey as shipped. */
  target?: BenchRow['target'];
  /** False for the no-op channel: nothing reaches the SMTP server. */
  sends: boolean;
}

async function seconds(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
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
  return { tenantId: tenant.id, ann: { admin: ann, transport: 'web' }, admins }; // as from the console: the operator cannot act for Ann
}

/** The rows one key change fanned out (every admin's copy of its opened alert). */
async function fannedOut(engine: Engine, requestId: string, requester: Actor): Promise<OutboxDelivery[]> {
  const [own] = await engine.deps.uow.run((store) => store.outbox.forRequest(requestId, { adminId: requester.admin.id }, 'email'));
  return engine.deps.uow.run((store) => store.outbox.listForEvent(own!.eventId));
}

/**
 * One key-change alert fanned out to `admins` admins and delivered through the outbox (claim, send, mark sent)
 * to an in-process SMTP server (smtp-server), against a bare nodemailer loop sending the same messages (same
 * subject, bodies and recipients, prepared up front) to the same server over one pooled connection. Besides
 * dualkey as shipped, the breakdown rows show where the time goes: the EmailChannel on a pooled transport
 * (it accepts one), four concurrent outbox workers, and the outbox bookkeeping alone (a channel that sends nothing).
 */
export async function benchAlerts(admins = 1000): Promise<BenchRow[]> {
  const priv = await openPrivateDatabase();
  const smtp = await FakeSmtpServer.start();
  const pooledTransport = (): Transporter => nodemailer.createTransport({ url: smtp.url, pool: true } as Parameters<typeof nodemailer.createTransport>[0]);
  const shipped = new EmailChannel({ smtpUrl: smtp.url, from: FROM });
  const pooled = new EmailChannel({ transport: pooledTransport(), from: FROM });
  const bare = pooledTransport();
  const noop: AlertChannel = { name: 'email', deliver: async () => ({ ok: true, platformRef: {} }), update: async () => ({ ok: true, platformRef: {} }) };
  try {
    const vault = await LocalVault.open({ database: priv.database, masterKey: randomBytes(32), keyDir: mkdtempSync(join(tmpdir(), 'dualkey-bench-keys-')), now: () => systemClock.now() });
    const engine = createEngine({ uow: createUnitOfWork(priv.database), vault, clock: systemClock, random: cryptoRandom, logger: silentLogger, steps: noStepHook });
    await engine.recordDeploymentChannels(['email']);

    // Warm-up of every path (JIT, SMTP server, prepared statements) on a small tenant.
    const warm = await tenantWithAdmins(engine, 'warm', 20);
    for (const channel of [shipped, pooled]) {
      const instance = `warm-${newId(cryptoRandom).slice(0, 8)}`;
      await engine.createInstance(warm.tenantId, instance);
      await engine.changeKey(warm.ann, instance, { kind: 'generate', password: PASSWORD });
      await engine.deliverOutbox({ channels: { email: channel } });
    }
    for (let i = 0; i < 20; i++) await bare.sendMail({ from: FROM, to: `warm${i}@example.com`, subject: 'warm-up', text: 'warm-up' });

    const big = await tenantWithAdmins(engine, 'bench', admins);
    // One unmeasured pass at full size, so no variant pays first-use costs (plans, caches, JIT) for the others.
    await engine.createInstance(big.tenantId, 'bench-warm');
    await engine.changeKey(big.ann, 'bench-warm', { kind: 'generate', password: PASSWORD });
    await engine.deliverOutbox({ channels: { email: shipped } });
    const variants: Variant[] = [
      { name: 'outbox → EmailChannel as shipped', channel: shipped, workers: 1, target: { kind: 'ratio_at_least', value: 0.8 }, sends: true },
      { name: '  breakdown: outbox → EmailChannel on a pooled transport', channel: pooled, workers: 1, sends: true },
      { name: '  breakdown: 4 delivery passes at once (as replicas) → EmailChannel on a pooled transport', channel: pooled, workers: 4, sends: true },
      { name: '  breakdown: outbox bookkeeping only (no-op channel)', channel: noop, workers: 1, sends: false },
    ];
    const bareRates: number[] = [];
    const bareLoop = async (mails: SendMailOptions[]) => {
      const s = await seconds(async () => {
        for (const mail of mails) await bare.sendMail(mail);
      });
      bareRates.push(mails.length / s);
    };
    // Three rounds over every variant, medians reported: single passes of a loaded machine swing by ±10 %.
    const rounds: number[][] = variants.map(() => []);
    const changeMs: number[] = [];
    for (let round = 0; round < 3; round++) for (const [i, variant] of variants.entries()) {
      const instance = `bench-${round}-${i}`;
      await engine.createInstance(big.tenantId, instance);
      // The key change commits one outbox row per admin with the state change (timed whole: vault work included).
      let requestId = '';
      changeMs.push(1000 * (await seconds(async () => {
        requestId = (await engine.changeKey(big.ann, instance, { kind: 'generate', password: PASSWORD })).request.id;
      })));
      const rows = await fannedOut(engine, requestId, big.ann);
      if (rows.length !== admins) throw new Error(`expected ${admins} outbox rows, found ${rows.length}`);
      const before = smtp.deliveries.length;
      const s = await seconds(async () => {
        const reports = await Promise.all(Array.from({ length: variant.workers }, () => engine.deliverOutbox({ channels: { email: variant.channel } })));
        const sent = reports.reduce((n, r) => n + r.sent, 0);
        if (sent !== admins || reports.some((r) => r.retried + r.failed > 0)) throw new Error(`${variant.name}: ${JSON.stringify(reports)}`);
      });
      if (smtp.deliveries.length - before !== (variant.sends ? admins : 0)) throw new Error(`${variant.name}: the SMTP server got ${smtp.deliveries.length - before} messages`);
      rounds[i]!.push(admins / s);
      // Side by side: the bare loop sends this variant's messages right after it, to fresh Message-IDs.
      if (variant.sends) {
        await bareLoop(rows.map((row) => {
          const to = big.admins.get(row.adminId!)!;
          const ctx = { recipientEmail: to.email };
          return { from: FROM, to: { name: to.name, address: to.email }, subject: `[dualkey] ${row.message.title}`, messageId: `<bare-${row.id}@dualkey>`, text: renderEmailText(row.message, ctx), html: renderEmailHtml(row.message, ctx) };
        }));
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const rates = rounds.map(median);
    const baseline = median(bareRates);
    console.log(
      `alerts: ${admins} admins on ${priv.label}; key change incl. fan-out commit ${changeMs.map((ms) => ms.toFixed(0)).join('/')} ms; ` +
        `bare nodemailer loop (pooled transport, one connection reused) ${bareRates.map((r) => r.toFixed(0)).join('/')} mails/s, median ${baseline.toFixed(0)}`,
    );
    return variants.map((v, i) => ({
      name: i === 0 ? `key-change alert to ${admins} admins: ${v.name} vs bare nodemailer loop` : v.name,
      dualkey: rates[i]!,
      baseline,
      unit: 'mails/s',
      ...(v.target ? { target: v.target } : {}),
    }));
  } finally {
    shipped.close();
    pooled.close();
    bare.close();
    await smtp.close();
    await priv.dispose();
  }
}
