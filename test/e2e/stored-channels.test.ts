import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../bot/cli/run-cli.js';
import type { CliIo } from '../../bot/cli/cli-io.js';
import { loadConfig } from '../../bot/runtime/config.js';
import { openRuntime } from '../../bot/runtime/open-runtime.js';
import { startServer, type RunningServer } from '../../bot/start-server.js';
import { inboxEntries, outbox } from '../../db/schema/index.js';
import { MemoryLogger } from '../support/engine-harness.js';
import { FakeSmtpServer } from '../support/fake-smtp-server.js';
import { FIXTURE_PASSWORD, fixture } from '../support/key-fixtures.js';
import { TestClock } from '../support/test-clock.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Which channels a deployment alerts on is stored state (DESIGN §5): `serve` records the channels it
 * delivers on, and every process — a CLI whose shell has no SMTP_URL or chat credentials included —
 * writes alerts for exactly those, so the server tells everyone of a change made anywhere.
 */
describe('alert channels are the deployment\'s stored state, not the environment of the process that made the change', () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A server with `serverEnv`, and an in-process CLI on the same database whose environment has none of it. */
  async function deployment(serverEnv: Record<string, string>) {
    const db: TestDatabase = await createTestDatabase();
    cleanups.push(() => db.dispose());
    const work = mkdtempSync(path.join(tmpdir(), 'dualkey-channels-'));
    cleanups.push(() => rmSync(work, { recursive: true, force: true }));
    const clock = new TestClock();
    const logger = new MemoryLogger();
    const server: RunningServer = await startServer(loadConfig({ DUALKEY_DATA_DIR: work, PORT: '0', ...serverEnv }), { database: db.database, clock, logger, startScheduler: false });
    cleanups.push(() => server.close());
    const output: string[] = [];
    const io: CliIo = { stdout: (d) => void output.push(d.toString()), stderr: (d) => void output.push(d), readStdin: async () => Buffer.alloc(0), promptSecret: async () => null, cwd: work };
    // The operator's shell: no SMTP_URL, no chat credentials; impersonation only by the explicit development flag.
    const cliEnv = { DUALKEY_DATA_DIR: work, DUALKEY_DEV_IMPERSONATION: 'true' };
    const cli = async (...argv: string[]) => {
      const code = await runCli([...argv, '--json'], io, { env: cliEnv, openEngine: (c) => openRuntime(c, { database: db.database, clock, logger }), serve: async () => undefined });
      return { code, json: JSON.parse(output[output.length - 1] ?? 'null') as Record<string, unknown> & { alerted?: { channels: string[]; notice: string } } };
    };
    writeFileSync(path.join(work, 'pw'), `${FIXTURE_PASSWORD}\n`);
    writeFileSync(path.join(work, 'key.pfx'), fixture('rsa-2048.pfx'));
    for (const argv of [['tenant', 'create', 'acme'], ['admin', 'add', 'ann@example.com', '--name', 'Ann', '--role', 'global_admin'], ['admin', 'add', 'bob@example.com', '--name', 'Bob', '--role', 'global_admin'], ['instance', 'create', 'crm-prod']]) {
      expect((await cli(...argv)).code).toBe(0);
    }
    clock.advanceHours(1);
    return { db, server, logger, cli, work };
  }

  it('writes e-mail alerts for a key change made from a CLI whose shell has no SMTP_URL, and the server delivers them to every admin', async () => {
    const smtp = await FakeSmtpServer.start();
    cleanups.push(() => smtp.close());
    const { db, server, cli } = await deployment({ SMTP_URL: smtp.url });
    const upload = await cli('key', 'upload', 'crm-prod', '--as', 'ann@example.com', '--file', 'key.pfx', '--password-file', 'pw');
    expect(upload.code).toBe(0);
    expect(upload.json.alerted).toEqual({ channels: ['email'], notice: 'Every admin has been alerted (email and the console inbox).' });

    const rows = await db.database.transaction((tx) => tx.select().from(outbox).where(eq(outbox.requestId, upload.json.request as string)));
    expect(rows.map((r) => r.channel)).toEqual(['email', 'email']);
    await server.scheduler.deliver();
    for (const address of ['ann@example.com', 'bob@example.com']) {
      expect(smtp.mailbox(address).map((m) => m.text ?? '').join('\n')).toContain(upload.json.request as string);
    }
  });

  it('says plainly that nobody could be told outside the console when the deployment has no alert channel, and still records the alert for every admin', async () => {
    const { db, logger, cli } = await deployment({});
    expect(logger.lines.some((l) => l.includes('"level":"warn"') && l.includes('no alert channel is configured'))).toBe(true);

    const upload = await cli('key', 'upload', 'crm-prod', '--as', 'ann@example.com', '--file', 'key.pfx', '--password-file', 'pw');
    expect(upload.code).toBe(0);
    expect(upload.json.alerted?.channels).toEqual([]);
    expect(upload.json.alerted?.notice).toMatch(/^Nobody could be told outside the console: this deployment has no alert channel/);

    const request = upload.json.request as string;
    expect(await db.database.transaction((tx) => tx.select().from(outbox).where(eq(outbox.requestId, request)))).toHaveLength(0);
    const inbox = await db.database.transaction((tx) => tx.select().from(inboxEntries).where(eq(inboxEntries.requestId, request)));
    expect(inbox).toHaveLength(2);
  });

  it('follows the server\'s configuration as recorded at its latest start: a restart without SMTP stops e-mail alerts from every process', async () => {
    const smtp = await FakeSmtpServer.start();
    cleanups.push(() => smtp.close());
    const { db, server, cli, work } = await deployment({ SMTP_URL: smtp.url });
    expect(await server.runtime.engine.alertReach((await server.runtime.engine.resolveTenant('acme')).id)).toMatchObject({ channels: ['email'], admins: 2, reachable: 2 });
    await server.close();
    cleanups.pop();
    const restarted = await startServer(loadConfig({ DUALKEY_DATA_DIR: work, PORT: '0' }), { database: db.database, clock: new TestClock(), logger: new MemoryLogger(), startScheduler: false });
    cleanups.push(() => restarted.close());
    const upload = await cli('key', 'upload', 'crm-prod', '--as', 'ann@example.com', '--file', 'key.pfx', '--password-file', 'pw');
    expect(upload.code).toBe(0);
    expect(upload.json.alerted?.channels).toEqual([]);
  });
});
