import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, LogLevel } from '@slack/bolt';
import { loadConfig } from '../bot/runtime/config.js';
import { silentLogger } from '../bot/runtime/json-logger.js';
import { startServer } from '../bot/start-server.js';
import { percentile, type BenchRow } from './bench-row.js';
import { openPrivateDatabase } from './private-database.js';
import { SlackLoad } from './slack-load.js';

const USER = 'U0BENCH';
const TOKEN = 'xoxb-0-0-bench';


/** A bare Bolt app on its own HTTPReceiver that acks "ok": the floor any Bolt-based receiver can reach. */
async function bareBolt(secret: string): Promise<{ url: string; stop(): Promise<unknown> }> {
  const app = new App({ signingSecret: secret, authorize: async () => ({}), logLevel: LogLevel.ERROR });
  app.command('/dualkey', async ({ ack }) => ack('ok'));
  const server = (await app.start(0)) as Server;
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`, stop: () => app.stop() };
}

/**
 * 500 signed slash commands at concurrency 50 against `dualkey serve` (`/dualkey status` from a linked admin:
 * verify, ack, then the status and the private reply through response_url) and against a bare Bolt app
 * acking "ok", on the same machine in the same run: p50 and p99 time to ack.
 */
export async function benchSlack(n = 500, concurrency = 50): Promise<BenchRow[]> {
  const secret = randomBytes(16).toString('hex');
  // A workspace of its own per run: a shared PostgreSQL database keeps earlier runs' linked identities.
  const team = `T${randomBytes(5).toString('hex').toUpperCase()}`;
  const load = await SlackLoad.start();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dualkey-bench-slack-'));
  const env = { DUALKEY_DATA_DIR: dataDir, PORT: '0', SLACK_SIGNING_SECRET: secret, SLACK_BOT_TOKEN: TOKEN, SLACK_API_URL: 'http://127.0.0.1:9/api/' };
  // A database of its own (PGlite, or a fresh one on the DATABASE_URL server): a shared one holds other vaults' identity.
  const priv = await openPrivateDatabase();
  const server = await startServer(loadConfig(env), { database: priv.database, logger: silentLogger, startScheduler: false });
  const bare = await bareBolt(secret);
  try {
    const { engine } = server.runtime;
    const tenant = await engine.createTenant(`bench-${randomBytes(4).toString('hex')}`, { selfManagedKeys: true });
    await engine.addAdmin(tenant.id, { email: 'ann@bench.example.com', name: 'Ann', role: 'global_admin', instances: [], identities: [{ platform: 'slack', workspace: team, userId: USER }] });
    for (let i = 0; i < 5; i++) await engine.createInstance(tenant.id, `bench-${i}`);
    const ours = `${server.url}/slack/events`;
    const job = { secret, concurrency, text: 'status', team, user: USER };
    /** Waits until the sink has `count` replies: the work after each ack is done (or the acks measured nothing real). */
    const replied = async (count: number) => {
      const deadline = Date.now() + 60_000;
      while ((await load.replies()) < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      if ((await load.replies()) < count) throw new Error(`only ${await load.replies()} of ${count} replies arrived`);
    };
    // Warm both (JIT, connections, caches), and let the warm-up replies finish, before measuring.
    await load.run({ ...job, url: bare.url, n: 100 });
    await load.run({ ...job, url: ours, n: 100 });
    await replied(100);
    const base = await load.run({ ...job, url: bare.url, n });
    const t0 = performance.now();
    const dk = await load.run({ ...job, url: ours, n });
    await replied(100 + n);
    const allReplied = (performance.now() - t0) / 1000;
    const [p50, p99, b50, b99] = [percentile(dk, 50), percentile(dk, 99), percentile(base, 50), percentile(base, 99)];
    console.log(`slack ack latency (${n} signed /dualkey status, concurrency ${concurrency}):`);
    console.log(`  dualkey serve  p50 ${p50.toFixed(1)} ms  p99 ${p99.toFixed(1)} ms  (all ${n} private replies posted ${allReplied.toFixed(2)} s after the first send)`);
    console.log(`  bare Bolt app  p50 ${b50.toFixed(1)} ms  p99 ${b99.toFixed(1)} ms`);
    console.log(`  p99 ratio ${(p99 / b99).toFixed(2)}× (target ≤ 3×: ${p99 <= 3 * b99 ? 'met' : 'MISSED'}); p99 ${p99 <= 300 ? '≤' : '>'} 300 ms (target: ${p99 <= 300 ? 'met' : 'MISSED'})\n`);
    return [
      { name: `slack ack p50, ${n} signed commands at concurrency ${concurrency}, vs bare Bolt`, dualkey: p50, baseline: b50, unit: 'ms', lowerIsBetter: true },
      { name: `slack ack p99, ${n} signed commands at concurrency ${concurrency}, vs bare Bolt`, dualkey: p99, baseline: b99, unit: 'ms', lowerIsBetter: true, target: { kind: 'value_below', value: 300 } },
    ];
  } finally {
    await bare.stop();
    await server.close();
    await load.close();
    await priv.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
