import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { executeChatCommand } from '../bot/commands/execute-chat-command.js';
import { parseChatCommand } from '../bot/commands/parse-chat-command.js';
import { cryptoRandom } from '../bot/runtime/crypto-random.js';
import { silentLogger } from '../bot/runtime/json-logger.js';
import { systemClock } from '../bot/runtime/system-clock.js';
import { createEngine, type Engine } from '../core/engine.js';
import { generatePfx } from '../core/keyfiles/generate-pfx.js';
import type { Actor } from '../core/model/actor.js';
import { noStepHook } from '../core/ports/step-hook.js';
import type { Database } from '../db/database.js';
import { rawRows, toNumber } from '../db/repositories/raw-rows.js';
import { createUnitOfWork } from '../db/unit-of-work.js';
import { LocalVault } from '../vault/local-vault.js';
import { median, timeMs, type BenchRow } from './bench-row.js';
import { seed, type Volume } from './digest.bench.js';
import { openPrivateDatabase } from './private-database.js';

const INSTANCES = 10_000;
const ADMINS = 1_000;
const PENDING = 1_000;
const PASSWORD = 'scale bench password 0123';
const CHAT = { publicUrl: 'https://dualkey.example.com', prefix: '/dualkey' };

/** Admins 3…ADMINS of the tenant in one insert (Ann and Bob came through the engine): a bench shortcut past roster approvals. */
async function seedAdmins(database: Database, tenantId: string, now: Date): Promise<void> {
  await database.transaction((tx) =>
    tx.execute(sql`insert into admins (id, tenant_id, email, name, role, instances, created_at)
      select 'sa-' || g, ${tenantId}::text, 'admin' || g || '@scale-bench.example.com', 'Admin ' || g, 'service_admin', '[]'::jsonb, ${now.toISOString()}::timestamptz
        from generate_series(3, ${sql.raw(String(ADMINS))}) g`),
  );
}

/** What one key change's commit wrote, by transaction id: its outbox rows, inbox entries, request row and audit entry. */
interface Written {
  eventId: string;
  outboxRows: number;
  outboxXmins: string[];
  inboxXmins: string[];
  requestXmin: string | null;
  auditXmins: string[];
}

async function writtenBy(database: Database, requestId: string): Promise<Written> {
  return database.transaction(async (tx) => {
    const outbox = await rawRows<{ event_id: string; n: unknown; xmins: string[] }>(tx, sql`
      select event_id, count(*) as n, array_agg(distinct xmin::text) as xmins from outbox where request_id = ${requestId} group by event_id`);
    if (outbox.length !== 1) throw new Error(`scale bench: request ${requestId} has outbox rows of ${outbox.length} events`);
    const [o] = outbox;
    const inbox = await rawRows<{ x: string }>(tx, sql`select distinct xmin::text as x from inbox_entries where event_id = ${o!.event_id}`);
    const [req] = await rawRows<{ x: string }>(tx, sql`select xmin::text as x from requests where id = ${requestId}`);
    const audit = await rawRows<{ x: string }>(tx, sql`select xmin::text as x from audit_entries where request_id = ${requestId}`);
    return { eventId: o!.event_id, outboxRows: toNumber(o!.n), outboxXmins: o!.xmins, inboxXmins: inbox.map((r) => r.x), requestXmin: req?.x ?? null, auditXmins: audit.map((r) => r.x) };
  });
}

/** True when every row the commit wrote carries one and the same transaction id. */
function oneTransaction(w: Written): boolean {
  const all = new Set([...w.outboxXmins, ...w.inboxXmins, ...w.auditXmins, ...(w.requestXmin ? [w.requestXmin] : [])]);
  return w.outboxXmins.length === 1 && w.auditXmins.length === 1 && w.requestXmin !== null && all.size === 1;
}

/** `runs` timings of `measured` and `baseline` alternated, after `warm` unmeasured runs of each. */
async function sideBySide(runs: number, warm: number, measured: () => Promise<unknown>, baseline: () => Promise<unknown>): Promise<[number[], number[]]> {
  for (let i = 0; i < warm; i++) {
    await measured();
    await baseline();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(await timeMs(measured));
    b.push(await timeMs(baseline));
  }
  return [a, b];
}

const spread = (xs: number[]) => `${Math.min(...xs).toFixed(1)}/${median(xs).toFixed(1)}/${Math.max(...xs).toFixed(1)} ms`;

/**
 * Issue 12 item 4: one tenant with 10,000 instances, 1,000 pending requests and 1,000 admins. The chat `status`
 * and `pending` commands (the shared command layer), the digest as `dualkey digest --admin` builds it, and one
 * key-change alert fanned out to every admin, each against the plain SQL it needs; the fan-out must also have
 * committed its outbox rows, inbox entries, request and audit entry in one transaction (one xmin).
 */
export async function benchScale(runs = 5): Promise<BenchRow[]> {
  const priv = await openPrivateDatabase();
  const keyDir = mkdtempSync(join(tmpdir(), 'dualkey-bench-keys-'));
  try {
    const { database } = priv;
    const vault = await LocalVault.open({ database, masterKey: randomBytes(32), keyDir, now: () => systemClock.now() });
    const engine: Engine = createEngine({ uow: createUnitOfWork(database), vault, clock: systemClock, random: cryptoRandom, logger: silentLogger, steps: noStepHook });
    await engine.recordDeploymentChannels(['email']);

    const t0 = performance.now();
    const now = systemClock.now();
    const tenant = await engine.createTenant('scale-bench', { selfManagedKeys: true });
    const ann = await engine.addAdmin(tenant.id, { email: 'ann@scale-bench.example.com', name: 'Ann', role: 'global_admin', instances: [], identities: [] });
    await engine.addAdmin(tenant.id, { email: 'bob@scale-bench.example.com', name: 'Bob', role: 'global_admin', instances: [], identities: [] });
    await seedAdmins(database, tenant.id, now);
    const volume: Volume = { instances: INSTANCES, pending: PENDING, decided: 2_000, lockedEvery: 200, sentAlerts: 20_000, failedAlerts: 30 };
    await seed(database, tenant.id, ann.id, 's', volume, now);
    await database.transaction((tx) => tx.execute(sql`analyze`));
    const seeded = ((performance.now() - t0) / 1000).toFixed(1);
    const onChat: Actor = { admin: ann, transport: 'slack' };

    // 1. status of the whole tenant, as the chat command renders it.
    const status = async () => {
      const reply = await executeChatCommand(engine, onChat, parseChatCommand('status'), CHAT);
      if (reply.fields.length !== INSTANCES) throw new Error(`scale bench status: ${reply.title}`);
    };
    const statusSql = () =>
      database.transaction(async (tx) => {
        await rawRows(tx, sql`select i.name, i.state, i.key_mode, i.last_key_change_at, p.name as key_name, p.fingerprint, p.kind, p.destroy_outcome, p.recoverable_until, p.access_problem
          from instances i join protectors p on p.id = i.protector_id where i.tenant_id = ${tenant.id}`);
        return rawRows(tx, sql`select id, instance_id, type, deadline from requests where tenant_id = ${tenant.id} and state = 'pending'`);
      });
    const [statusMs, statusBase] = await sideBySide(runs, 2, status, statusSql);

    // 2. pending requests, as the chat command lists them.
    const pending = async () => {
      const reply = await executeChatCommand(engine, onChat, parseChatCommand('pending'), CHAT);
      if (reply.fields.length !== PENDING) throw new Error(`scale bench pending: ${reply.title}`);
    };
    const pendingSql = () => database.transaction((tx) => rawRows(tx, sql`select * from requests where tenant_id = ${tenant.id} and state = 'pending' order by opened_at`));
    const [pendingMs, pendingBase] = await sideBySide(runs, 2, pending, pendingSql);

    // 3. the digest one admin would receive (what `dualkey digest --admin <email>` builds).
    const digest = async () => {
      const admin = await engine.adminByEmail(tenant.id, `admin${ADMINS}@scale-bench.example.com`);
      const { facts } = await engine.buildDigest(tenant.id);
      if (!admin || facts.instances.total !== INSTANCES || facts.pendingTotal !== PENDING) throw new Error(`scale bench digest: ${JSON.stringify(facts.instances)}`);
    };
    const countSql = () => database.transaction((tx) => rawRows(tx, sql`select count(*) from instances where tenant_id = ${tenant.id}`));
    const [digestMs, digestBase] = await sideBySide(runs * 2, 3, digest, countSql);

    // 4. one key change (a PFX upload) fans its alert out to every admin; the same rows copied by one plain insert is the baseline.
    const pfx = generatePfx({ commonName: 'scale', password: PASSWORD, now, serialNumber: randomBytes(8) }).pfx;
    const asAnn: Actor = { admin: ann, transport: 'web' };
    const fanOutMs: number[] = [];
    const copyMs: number[] = [];
    const written: Written[] = [];
    for (let i = 0; i <= 3; i++) {
      const name = `scale-alert-${i}`;
      await engine.createInstance(tenant.id, name);
      let requestId = '';
      const ms = await timeMs(async () => {
        requestId = (await engine.changeKey(asAnn, name, { kind: 'upload', upload: { file: pfx, password: PASSWORD } })).request.id;
      });
      const w = await writtenBy(database, requestId);
      if (w.outboxRows !== ADMINS) throw new Error(`scale bench: ${w.outboxRows} outbox rows for ${ADMINS} admins`);
      const copy = await timeMs(() =>
        database.transaction((tx) => tx.execute(sql`insert into outbox (id, tenant_id, event_id, admin_id, address, channel, message, kind, request_id, state, attempts, next_attempt_at, created_at)
          select 'copy-' || id, tenant_id, 'copy-' || event_id, admin_id, address, channel, message, kind, null, 'skipped', attempts, next_attempt_at, created_at
            from outbox where event_id = ${w.eventId}`)),
      );
      // The key must be free for the next instance: roll this change back (unmeasured) as a second admin would.
      await engine.decide({ admin: (await engine.adminByEmail(tenant.id, 'bob@scale-bench.example.com'))!, transport: 'web' }, requestId, 'rollback');
      if (i === 0) continue; // warm-up
      fanOutMs.push(ms);
      copyMs.push(copy);
      written.push(w);
    }
    const single = written.every(oneTransaction);
    const xmins = written.map((w) => `outbox ${w.outboxXmins.join('+')}, inbox ${w.inboxXmins.join('+')}, request ${w.requestXmin}, audit ${w.auditXmins.join('+')}`);

    console.log(
      `scale: seeded 1 tenant × ${INSTANCES} instances, ${ADMINS} admins, ${PENDING} pending + ${volume.decided} decided requests, ${volume.sentAlerts + volume.failedAlerts} outbox rows in ${seeded} s on ${priv.label}\n` +
        `  status min/median/max ${spread(statusMs)} (SQL ${spread(statusBase)}); pending ${spread(pendingMs)} (SQL ${spread(pendingBase)}); digest ${spread(digestMs)}\n` +
        `  key change + fan-out to ${ADMINS} admins ${spread(fanOutMs)} (plain copy of its rows ${spread(copyMs)}); transaction ids per change: ${xmins.join('; ')}`,
    );
    const ms = { unit: 'ms', lowerIsBetter: true } as const;
    return [
      { name: `scale: chat status of 10,000 instances via the command layer (${priv.label}) vs its plain selects`, dualkey: median(statusMs), baseline: median(statusBase), ...ms, target: { kind: 'value_below', value: 500 } },
      { name: `scale: chat pending, 1,000 open requests via the command layer (${priv.label}) vs the plain select`, dualkey: median(pendingMs), baseline: median(pendingBase), ...ms, target: { kind: 'value_below', value: 500 } },
      { name: `scale: digest for one admin, 10,000 instances + 1,000 admins (${priv.label}) vs select count(*)`, dualkey: median(digestMs), baseline: median(digestBase), ...ms, target: { kind: 'value_below', value: 250 } },
      {
        name: `scale: key change + alert fan-out to 1,000 admins (${priv.label}) vs one insert copying its rows`, dualkey: median(fanOutMs), baseline: median(copyMs), ...ms,
        target: { kind: 'value_below', value: 2000 }, condition: { held: single, text: 'one transaction (one xmin)' },
      },
    ];
  } finally {
    await priv.dispose();
    rmSync(keyDir, { recursive: true, force: true });
  }
}
