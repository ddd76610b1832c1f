import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mariadbConfigLines, mariadbTokenFile } from '../bot/mariadb/mariadb-config.js';
import { loadConfig } from '../bot/runtime/config.js';
import { silentLogger } from '../bot/runtime/json-logger.js';
import { startServer } from '../bot/start-server.js';
import { installMariadb, mariadbAvailable, run, startMariadbd, writeOptionFile, type MariaInstall } from '../test/support/mariadb-server.js';
import { median, type BenchRow } from './bench-row.js';
import { openPrivateDatabase } from './private-database.js';

/** One GET on a fresh connection (agent: false), as the plugin does for every request. */
function getOnce(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { 'x-vault-token': token } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Requests per second for `n` GETs with `concurrency` in flight; every answer must be 200. */
async function rps(url: string, token: string, n: number, concurrency = 8): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < n) if ((await getOnce(url, token)) !== 200) throw new Error(`${url} did not answer 200`);
  }));
  return n / ((performance.now() - t0) / 1000);
}

/** How many KV key reads serve has answered (its /metrics counter). */
async function kvRequests(serveUrl: string): Promise<number> {
  const metrics = await (await fetch(`${serveUrl}/metrics`)).text();
  return [...metrics.matchAll(/^dualkey_http_requests_total\{route="kv\.data",status="\d+"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Single-row autocommit inserts into an ENCRYPTED=YES table through one client session, then a flush of its pages. */
async function insertsPerSecond(install: MariaInstall, n: number): Promise<number> {
  const statements = ['CREATE DATABASE IF NOT EXISTS b; DROP TABLE IF EXISTS b.t; CREATE TABLE b.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(200)) ENCRYPTED=YES;'];
  const pad = randomBytes(64).toString('hex');
  for (let i = 0; i < n; i++) statements.push(`INSERT INTO b.t (v) VALUES ('${pad}${i}');`);
  statements.push('FLUSH TABLES b.t FOR EXPORT; UNLOCK TABLES;');
  const t0 = performance.now();
  const r = await run('mariadb', ['--no-defaults', `--socket=${install.socket}`, '-uroot'], { input: statements.join('\n'), timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`inserts failed: ${r.stderr}`);
  return n / ((performance.now() - t0) / 1000);
}

/**
 * The MariaDB key server: KV endpoint requests per second through `dualkey serve` against a bare Node
 * HTTP server answering the same JSON (both on a fresh connection per request, as the plugin does), and
 * MariaDB insert throughput with dualkey as key server against file_key_management with the same keys.
 */
export async function benchMariadb(): Promise<BenchRow[]> {
  const db = await openPrivateDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dualkey-bench-maria-'));
  const server = await startServer(loadConfig({ DUALKEY_DATA_DIR: dataDir, PORT: '0' }), { database: db.database, logger: silentLogger, startScheduler: false });
  const installs: MariaInstall[] = [];
  let bare: Server | null = null;
  try {
    const engine = server.runtime.engine;
    const tenant = await engine.createTenant(`bench-${randomBytes(4).toString('hex')}`, { selfManagedKeys: true });
    await engine.createInstance(tenant.id, 'bench-db');
    const token = await engine.issueToken(tenant.id, 'bench-db');
    await engine.initDbKeys(tenant.id, 'bench-db', [1, 2]);
    const key = await engine.kv.key(token, 'bench-db', 1, null);
    const body = JSON.stringify({ data: { data: { data: key.material.toString('hex') }, metadata: { created_time: key.createdAt.toISOString(), deletion_time: '', destroyed: false, version: key.version } } });
    bare = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    const bareUrl = `${await listen(bare)}/v1/mariadb/bench-db/data/1`;
    const kvUrl = `${server.url}/v1/mariadb/bench-db/data/1`;
    await rps(kvUrl, token, 300);
    await rps(bareUrl, token, 300);
    const kv: number[] = [];
    const base: number[] = [];
    for (let round = 0; round < 3; round++) {
      kv.push(await rps(kvUrl, token, 1500));
      base.push(await rps(bareUrl, token, 1500));
    }
    const rows: BenchRow[] = [
      { name: 'KV key endpoint through serve vs bare node:http, new connection each', dualkey: median(kv), baseline: median(base), unit: 'req/s', target: { kind: 'ratio_at_least', value: 0.5 } },
    ];
    if (!mariadbAvailable()) {
      console.log('mariadb: mariadbd or the hashicorp plugin is not installed; insert row skipped');
      return rows;
    }
    const withDualkey = await installMariadb();
    const withFile = await installMariadb();
    installs.push(withDualkey, withFile);
    const tokenFile = path.join(withDualkey.dir, 'token.cnf');
    writeFileSync(tokenFile, mariadbTokenFile(token), { mode: 0o600 });
    writeOptionFile(withDualkey, mariadbConfigLines({ baseUrl: server.url, instance: 'bench-db', tokenFile, caFile: null, cacheTimeoutMs: 60_000, versionCacheTimeoutMs: 0, maxRetries: 3 }).slice(1));
    const keyFile = path.join(withFile.dir, 'keys.txt');
    const k2 = await engine.kv.key(token, 'bench-db', 2, null);
    writeFileSync(keyFile, `1;${key.material.toString('hex')}\n2;${k2.material.toString('hex')}\n`, { mode: 0o600 });
    const sameEncryption = mariadbConfigLines({ baseUrl: server.url, instance: 'bench-db', tokenFile, caFile: null, cacheTimeoutMs: 0, versionCacheTimeoutMs: 0, maxRetries: 0 }).filter((l) => /^(innodb-|encrypt-)/.test(l));
    writeOptionFile(withFile, ['plugin-load-add=file_key_management', `file-key-management-filename=${keyFile}`, ...sameEncryption]);
    const a = await startMariadbd(withDualkey);
    const b = await startMariadbd(withFile);
    try {
      await insertsPerSecond(withDualkey, 300);
      await insertsPerSecond(withFile, 300);
      const dk: number[] = [];
      const fk: number[] = [];
      const askedBefore = await kvRequests(server.url);
      // Seven alternating rounds, each side first in turn: fsync-bound inserts on a shared 2-core machine swing by ±10%
      // from round to round, and whichever server runs second in a pair meets the other's pages still being written back.
      for (let round = 0; round < 7; round++) {
        const pair = round % 2 === 0 ? [withDualkey, withFile] : [withFile, withDualkey];
        for (const install of pair) (install === withDualkey ? dk : fk).push(await insertsPerSecond(install, 2000));
      }
      const asked = (await kvRequests(server.url)) - askedBefore;
      console.log(`mariadb inserts per round (rows/s): dualkey ${dk.map((v) => v.toFixed(0)).join('/')}; file_key_management ${fk.map((v) => v.toFixed(0)).join('/')}; the plugin asked dualkey for a key ${asked} times during ${7 * 2000} inserts (latest-version cache 0: page writes ask)`);
      rows.push({ name: 'MariaDB autocommit inserts, dualkey key server vs file_key_management', dualkey: median(dk), baseline: median(fk), unit: 'rows/s', target: { kind: 'ratio_at_least', value: 0.95 } });
    } finally {
      await a.stop();
      await b.stop();
    }
    return rows;
  } finally {
    bare?.close();
    await server.close();
    await db.dispose();
    for (const i of installs) i.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
