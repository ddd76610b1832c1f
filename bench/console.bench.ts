import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { createEngine } from '../core/engine.js';
import { noStepHook } from '../core/ports/step-hook.js';
import { cryptoRandom } from '../bot/runtime/crypto-random.js';
import { silentLogger } from '../bot/runtime/json-logger.js';
import { systemClock } from '../bot/runtime/system-clock.js';
import { INSTANCES_PER_PAGE, renderInstancesPage } from '../bot/web/console/instances-page.js';
import { rawRows } from '../db/repositories/raw-rows.js';
import { createUnitOfWork } from '../db/unit-of-work.js';
import { LocalVault } from '../vault/local-vault.js';
import type { BenchRow } from './bench-row.js';
import { seed } from './digest.bench.js';
import { openPrivateDatabase } from './private-database.js';

/** The value below which `share` of the sorted samples fall (p99: share 0.99). */
function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * Console Instances page for a tenant with 10,000 instances (issue 11): its server time — the engine's query
 * and the rendered HTML of the first page — at p99, vs the same two SQL statements without rendering.
 */
export async function benchConsole(runs = 200): Promise<BenchRow[]> {
  const priv = await openPrivateDatabase();
  const keyDir = mkdtempSync(join(tmpdir(), 'dualkey-bench-keys-'));
  try {
    const vault = await LocalVault.open({ database: priv.database, masterKey: randomBytes(32), keyDir, now: () => systemClock.now() });
    const engine = createEngine({ uow: createUnitOfWork(priv.database), vault, clock: systemClock, random: cryptoRandom, logger: silentLogger, steps: noStepHook });
    const tenant = await engine.createTenant('console-bench', { selfManagedKeys: true });
    const admin = await engine.addAdmin(tenant.id, { email: 'ann@console-bench.example.com', name: 'Ann', role: 'global_admin', instances: [], identities: [] });
    await seed(priv.database, tenant.id, admin.id, 'c', { instances: 10_000, pending: 1_000, decided: 0, lockedEvery: 200, sentAlerts: 0, failedAlerts: 0 }, systemClock.now());
    await priv.database.transaction((tx) => tx.execute(sql`analyze`));
    const viewer = { admin, unread: 0, csrf: 'x'.repeat(43) };
    const page = async () => {
      const list = await engine.console.instances(admin, { limit: INSTANCES_PER_PAGE, offset: 0 });
      if (list.total !== 10_000) throw new Error(`console bench seeded ${list.total} instances`);
      return renderInstancesPage(viewer, { ...list, page: 1, filter: { q: '', state: '', mode: '' }, now: systemClock.now() }).toString();
    };
    const bare = () =>
      priv.database.transaction(async (tx) => {
        const where = sql`i.tenant_id = ${tenant.id}`;
        await rawRows(tx, sql`select count(*) as n from instances i join protectors p on p.id = i.protector_id where ${where}`);
        return rawRows(tx, sql`
          select i.name, i.state, i.key_mode, i.last_key_change_at, p.name as key_name, p.fingerprint, p.kind, p.created_at as key_created_at,
                 r.id as request_id, r.type as request_type, r.deadline as request_deadline
            from instances i join protectors p on p.id = i.protector_id
            left join lateral (select id, type, deadline from requests where instance_id = i.id and state = 'pending' order by opened_at limit 1) r on true
           where ${where} order by i.name limit ${INSTANCES_PER_PAGE} offset 0`);
      });
    for (let i = 0; i < 10; i++) {
      await page();
      await bare();
    }
    const served: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < runs; i++) {
      served.push(await timeMs(page));
      baseline.push(await timeMs(bare));
    }
    return [
      {
        name: `console Instances page, 10,000 instances, p99 server time (${priv.label}) vs the same SQL without rendering`,
        dualkey: percentile(served, 0.99), baseline: percentile(baseline, 0.99), unit: 'ms', lowerIsBetter: true, target: { kind: 'value_below', value: 100 },
      },
    ];
  } finally {
    await priv.dispose();
    rmSync(keyDir, { recursive: true, force: true });
  }
}
