import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { silentLogger } from '../bot/runtime/json-logger.js';
import { systemClock } from '../bot/runtime/system-clock.js';
import { loadConfig } from '../bot/runtime/config.js';
import { startServer } from '../bot/start-server.js';
import { INSTANCES_PER_PAGE } from '../bot/web/console/instances-page.js';
import { rawRows } from '../db/repositories/raw-rows.js';
import { percentile, timeMs, type BenchRow } from './bench-row.js';
import { seed } from './digest.bench.js';
import { openPrivateDatabase } from './private-database.js';

/**
 * Console Instances page for a tenant with 10,000 instances (issue 11): GET /console/ through `dualkey serve` with a
 * signed-in session (session check, unread count, the page query, rendering, headers; over loopback HTTP, so a
 * little more than server time) at p99, vs the same two SQL statements of the list without any of the rest.
 */
export async function benchConsole(runs = 200): Promise<BenchRow[]> {
  const priv = await openPrivateDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'dualkey-bench-console-'));
  const server = await startServer(loadConfig({ DUALKEY_DATA_DIR: dataDir, PORT: '0' }), { database: priv.database, logger: silentLogger, startScheduler: false });
  try {
    const { engine } = server.runtime;
    const tenant = await engine.createTenant('console-bench', { selfManagedKeys: true });
    const admin = await engine.addAdmin(tenant.id, { email: 'ann@console-bench.example.com', name: 'Ann', role: 'global_admin', instances: [], identities: [] });
    await seed(priv.database, tenant.id, admin.id, 'c', { instances: 10_000, pending: 1_000, decided: 0, lockedEvery: 200, sentAlerts: 0, failedAlerts: 0 }, systemClock.now());
    await priv.database.transaction((tx) => tx.execute(sql`analyze`));
    // Signed in as a browser is: the link's own page posts it, the session cookie comes back.
    const link = `${server.url}/console/sign-in/${(await engine.issueSignInLink(admin, 'web')).token}`;
    const signIn = await fetch(link, { method: 'POST', redirect: 'manual', headers: { origin: server.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    const cookie = signIn.headers.getSetCookie().find((c) => c.includes('dualkey-session='))?.split(';')[0];
    if (!cookie) throw new Error(`console bench could not sign in (${signIn.status})`);
    const page = async () => {
      const res = await fetch(`${server.url}/console/`, { headers: { cookie } });
      const text = await res.text();
      if (res.status !== 200 || !text.includes('of 10000 instances')) throw new Error(`console bench page: ${res.status} ${text.slice(0, 200)}`);
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
        name: `console GET /console/ signed in, 10,000 instances, p99 (${priv.label}) vs the same list SQL alone`,
        dualkey: percentile(served, 99), baseline: percentile(baseline, 99), unit: 'ms', lowerIsBetter: true, target: { kind: 'value_below', value: 100 },
      },
    ];
  } finally {
    await server.close();
    await priv.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
