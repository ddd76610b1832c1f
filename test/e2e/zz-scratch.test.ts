import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it, expect } from 'vitest';
import { loadConfig } from '../../bot/runtime/config.js';
import { startServer } from '../../bot/start-server.js';
import { MemoryLogger } from '../support/engine-harness.js';
import { createTestDatabase } from '../support/test-database.js';

function chunkedPut(target: string, token: string, chunks: Buffer[]): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(target, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'transfer-encoding': 'chunked' } }, (res) => {
      const body: Buffer[] = [];
      res.on('data', (d: Buffer) => body.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(body) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    void (async () => {
      for (const chunk of chunks) {
        if (req.destroyed) return;
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })();
  });
}

it('scratch', async () => {
  const db = await createTestDatabase();
  const server = await startServer(loadConfig({ DUALKEY_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'x-')), PORT: '0' }), { database: db.database, logger: new MemoryLogger() });
  const e = server.runtime.engine;
  const t = await e.createTenant('acme', { selfManagedKeys: true });
  await e.createInstance(t.id, 'crm');
  const token = await e.issueToken(t.id, 'crm');
  const outcomes: Record<string, number> = {};
  for (const [name, chunks] of [['1MiB+1', [randomBytes(1024*1024), randomBytes(1)]], ['4MiB in 64k', Array.from({length: 64}, () => randomBytes(65536))], ['8MiB one', [randomBytes(8*1024*1024)]]] as const) {
    for (let i = 0; i < 15; i++) {
      const r = await chunkedPut(`${server.url}/v1/instances/crm/records/k`, token, chunks as unknown as Buffer[]).then((r) => String(r.status), (err: Error) => `err:${(err as NodeJS.ErrnoException).code ?? err.message}`);
      const k = `${name} ${r}`;
      outcomes[k] = (outcomes[k] ?? 0) + 1;
    }
  }
  console.log(outcomes);
  await server.close(); await db.dispose();
  expect(1).toBe(1);
});
