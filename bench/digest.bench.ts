import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { cryptoRandom } from '../bot/runtime/crypto-random.js';
import { silentLogger } from '../bot/runtime/json-logger.js';
import { systemClock } from '../bot/runtime/system-clock.js';
import { createEngine } from '../core/engine.js';
import { noStepHook } from '../core/ports/step-hook.js';
import type { Database } from '../db/database.js';
import { createUnitOfWork } from '../db/unit-of-work.js';
import { LocalVault } from '../vault/local-vault.js';
import { median, timeMs, type BenchRow } from './bench-row.js';
import { openPrivateDatabase } from './private-database.js';

/** What one seeded tenant holds. */
/** How much a seeded tenant holds. */
export interface Volume {
  instances: number;
  pending: number;
  /** Decided requests spread over the last 30 days (a tenth of them in the digest's last 24 h). */
  decided: number;
  /** Every `lockedEvery`-th instance past the pending ones is locked (with the approved lock request that locked it). */
  lockedEvery: number;
  sentAlerts: number;
  failedAlerts: number;
}

/**
 * Bulk-inserts a tenant's instances (one active protector each, plus the `previous` one of every pending key
 * change), requests and outbox rows with generate_series: seconds, where the engine would take hours.
 */
export async function seed(database: Database, tenantId: string, adminId: string, tag: string, v: Volume, now: Date): Promise<void> {
  // Numbers and the tag are inlined as literals (typed, no parameter guessing); ids and times are parameters.
  const t = sql.raw(`'${tag.replace(/[^a-z]/g, '')}'`);
  const n = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sql.raw(String(Math.trunc(x)))])) as Record<keyof Volume, SQL>;
  const ts = sql`${now.toISOString()}::timestamptz`;
  await database.transaction(async (tx) => {
    await tx.execute(sql`
      insert into instances (id, tenant_id, name, state, key_mode, protector_id, generation, last_key_change_at, created_at)
      select ${t} || '-i' || g, ${tenantId}::text, 'instance-' || lpad(g::text, 5, '0'),
             case when g > ${n.pending} and g % ${n.lockedEvery} = 0 then 'locked' else 'active' end,
             case when g % 3 = 0 or g % ${n.lockedEvery} = 0 or g <= ${n.pending} then 'customer' else 'service' end,
             ${t} || '-p' || g, 3, ${ts} - (g % 400) * interval '1 day', ${ts} - interval '500 days'
        from generate_series(1, ${n.instances}) g`);
    await tx.execute(sql`
      insert into protectors (id, instance_id, kind, name, fingerprint, public_key, vault_key_id, status, created_at)
      select ${t} || '-p' || g, ${t} || '-i' || g,
             case when g % 3 = 0 or g % ${n.lockedEvery} = 0 or g <= ${n.pending} then 'pfx' else 'service' end,
             'instance-' || lpad(g::text, 5, '0') || ' Encryption Key', 'sha256:' || md5(${t} || g), decode(md5(${t} || g), 'hex'),
             ${t} || '-vk' || g, 'active', ${ts} - (g % 400) * interval '1 day' - (g % 1440) * interval '1 minute'
        from generate_series(1, ${n.instances}) g`);
    // The protector each pending key change would restore.
    await tx.execute(sql`
      insert into protectors (id, instance_id, kind, name, fingerprint, public_key, vault_key_id, status, created_at)
      select ${t} || '-pp' || g, ${t} || '-i' || g, 'service', 'instance-' || lpad(g::text, 5, '0') || ' Service-managed Key',
             'sha256:prev' || md5(${t} || g), decode(md5('prev' || ${t} || g), 'hex'), ${t} || '-vkp' || g, 'previous', ${ts} - interval '600 days'
        from generate_series(1, ${n.pending}) g`);
    await tx.execute(sql`
      insert into requests (id, tenant_id, instance_id, type, state, requested_by, requested_via, payload, opened_at, deadline, decided_by, decided_at, decision_reason)
      select ${t} || '-rp' || g, ${tenantId}::text, ${t} || '-i' || g, 'key_change', 'pending', ${adminId}::text, 'cli',
             jsonb_build_object('operation', 'upload', 'newProtectorId', ${t} || '-p' || g, 'previousProtectorId', ${t} || '-pp' || g),
             ${ts} - (g % 71) * interval '1 hour', ${ts} + (72 - g % 71) * interval '1 hour', null, null, null
        from generate_series(1, ${n.pending}) g`);
    await tx.execute(sql`
      insert into requests (id, tenant_id, instance_id, type, state, requested_by, requested_via, payload, opened_at, deadline, decided_by, decided_at, decision_reason)
      select ${t} || '-rd' || g, ${tenantId}::text, ${t} || '-i' || (${n.pending} + g % (${n.instances} - ${n.pending})), 'key_change',
             (array['approved', 'rolled_back', 'expired_rolled_back'])[1 + g % 3], ${adminId}::text, 'cli', '{}'::jsonb,
             ${ts} - (g % 30) * interval '1 day' - interval '2 hours', ${ts} - (g % 30) * interval '1 day' + interval '70 hours',
             ${adminId}::text, ${ts} - (g % 30) * interval '1 day' - interval '1 hour', null
        from generate_series(1, ${n.decided}) g`);
    await tx.execute(sql`
      insert into requests (id, tenant_id, instance_id, type, state, requested_by, requested_via, payload, opened_at, deadline, decided_by, decided_at, decision_reason)
      select ${t} || '-rl' || g, ${tenantId}::text, ${t} || '-i' || g, 'lock', 'approved', ${adminId}::text, 'cli', '{}'::jsonb,
             ${ts} - interval '40 days', ${ts} - interval '39 days', ${adminId}::text, ${ts} - interval '39 days 12 hours', null
        from generate_series(${n.pending} + ${n.lockedEvery}, ${n.instances}, ${n.lockedEvery}) g`);
    await tx.execute(sql`
      insert into outbox (id, tenant_id, event_id, admin_id, channel, message, kind, state, attempts, next_attempt_at, last_error, sent_at, created_at)
      select ${t} || '-o' || g, ${tenantId}::text, ${t} || '-e' || (g / 10), ${adminId}::text, 'email',
             jsonb_build_object('event', 'key_change_opened', 'title', 'Key changed on instance-' || g, 'facts', '[]'::jsonb, 'actions', '[]'::jsonb),
             'deliver', case when g <= ${n.failedAlerts} then 'failed' else 'sent' end, 1, ${ts} - (g % 30) * interval '1 day',
             case when g <= ${n.failedAlerts} then 'SMTP 550 after RCPT TO: mailbox unavailable' end,
             case when g > ${n.failedAlerts} then ${ts} - (g % 30) * interval '1 day' end, ${ts} - (g % 30) * interval '1 day'
        from generate_series(1, ${v.sentAlerts + v.failedAlerts}) g`);
  });
}

/**
 * The digest of a tenant with 10,000 instances and 1,000 pending requests (a second tenant of the same size
 * shares the tables), built from SQL aggregates: median of `runs` builds after warm-up, against a single
 * `select count(*) from instances where tenant_id = …` on the same database.
 */
export async function benchDigest(runs = 10): Promise<BenchRow[]> {
  const priv = await openPrivateDatabase();
  try {
    const vault = await LocalVault.open({ database: priv.database, masterKey: randomBytes(32), keyDir: mkdtempSync(join(tmpdir(), 'dualkey-bench-keys-')), now: () => systemClock.now() });
    const engine = createEngine({ uow: createUnitOfWork(priv.database), vault, clock: systemClock, random: cryptoRandom, logger: silentLogger, steps: noStepHook });
    await engine.recordDeploymentChannels(['email']);
    const volume: Volume = { instances: 10_000, pending: 1_000, decided: 2_000, lockedEvery: 200, sentAlerts: 20_000, failedAlerts: 30 };
    const now = systemClock.now();
    let target = '';
    const t0 = performance.now();
    for (const name of ['digest-bench', 'neighbour']) {
      const tenant = await engine.createTenant(name, { selfManagedKeys: true });
      const ann = await engine.addAdmin(tenant.id, { email: `ann@${name}.example.com`, name: 'Ann', role: 'global_admin', instances: [], identities: [] });
      await engine.addAdmin(tenant.id, { email: `bob@${name}.example.com`, name: 'Bob', role: 'global_admin', instances: [], identities: [] });
      await seed(priv.database, tenant.id, ann.id, name === 'neighbour' ? 'n' : 't', volume, now);
      if (name === 'digest-bench') target = tenant.id;
    }
    // Fresh planner statistics, as autovacuum would have gathered on a live database.
    await priv.database.transaction((tx) => tx.execute(sql`analyze`));
    const seeded = ((performance.now() - t0) / 1000).toFixed(1);

    const { facts } = await engine.buildDigest(target);
    if (facts.instances.total !== volume.instances || facts.pendingTotal !== volume.pending || facts.failedTotal !== volume.failedAlerts) {
      throw new Error(`digest bench seeded the wrong tenant: ${JSON.stringify({ ...facts.instances, pending: facts.pendingTotal, failed: facts.failedTotal })}`);
    }
    const count = () => priv.database.transaction((tx) => tx.execute(sql`select count(*) from instances where tenant_id = ${target}`));
    for (let i = 0; i < 3; i++) {
      await engine.buildDigest(target);
      await count();
    }
    const build: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < runs; i++) {
      build.push(await timeMs(() => engine.buildDigest(target)));
      baseline.push(await timeMs(count));
    }
    console.log(`digest: seeded 2 tenants × ${volume.instances} instances, ${volume.pending} pending, ${volume.decided} decided requests, ${volume.sentAlerts + volume.failedAlerts} outbox rows in ${seeded} s on ${priv.label}; build min/median/max ${Math.min(...build).toFixed(1)}/${median(build).toFixed(1)}/${Math.max(...build).toFixed(1)} ms over ${runs} runs`);
    return [
      {
        name: `digest build, 10,000 instances + 1,000 pending (${priv.label}) vs select count(*) of its instances`,
        dualkey: median(build),
        baseline: median(baseline),
        unit: 'ms',
        lowerIsBetter: true,
        target: { kind: 'value_below', value: 250 },
      },
    ];
  } finally {
    await priv.dispose();
  }
}
