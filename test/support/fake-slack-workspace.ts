import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Engine } from '../../core/engine.js';
import type { Actor } from '../../core/model/actor.js';
import type { Identity } from '../../core/model/admin.js';
import { loadConfig } from '../../bot/runtime/config.js';
import { startServer, type RunningServer } from '../../bot/start-server.js';
import { asCli, MemoryLogger } from './engine-harness.js';
import { FakeSlackApi } from './fake-slack-api.js';
import { FakeSlackPlatform } from './fake-slack-platform.js';
import { TestClock } from './test-clock.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** The Slack workspace of the tests, its users, and the app's credentials. */
export const TEAM = 'T0ACME';
export const USERS = { ann: 'U0ANN', bob: 'U0BOB', cat: 'U0CAT', stranger: 'U0STRANGER' } as const;
export const BOT_TOKEN = 'xoxb-1111-2222-fakebottoken';

/** A running dualkey server wired to a fake Slack, with tenant acme: ann and bob (global), cat (system_admin of crm-prod), all linked in Slack. */
export interface SlackWorld {
  server: RunningServer;
  engine: Engine;
  clock: TestClock;
  logger: MemoryLogger;
  api: FakeSlackApi;
  slack: FakeSlackPlatform;
  signingSecret: string;
  tenantId: string;
  ann: Actor;
  bob: Actor;
  cat: Actor;
  instance: string;
  close(): Promise<void>;
}

const slackId = (userId: string): Identity => ({ platform: 'slack', workspace: TEAM, userId });

/** Starts the fake Slack API, the server (Slack configured, scheduler off) and seeds the tenant; seeding alerts are delivered and forgotten. */
export async function startSlackWorld(env: Record<string, string> = {}): Promise<SlackWorld> {
  const signingSecret = randomBytes(16).toString('hex');
  const api = await FakeSlackApi.start(BOT_TOKEN);
  const db: TestDatabase = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dualkey-e2e-slack-'));
  const clock = new TestClock();
  const logger = new MemoryLogger();
  const config = loadConfig({ DUALKEY_DATA_DIR: dataDir, PORT: '0', SLACK_SIGNING_SECRET: signingSecret, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: api.apiUrl, DUALKEY_DEV_IMPERSONATION: 'true', ...env });
  const server = await startServer(config, { database: db.database, clock, logger, startScheduler: false });
  const engine = server.runtime.engine;
  const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
  const add = (email: string, name: string, userId: string) => engine.addAdmin(tenant.id, { email, name, role: 'global_admin', instances: [], identities: [slackId(userId)] });
  const ann = asCli(await add('ann@example.com', 'Ann', USERS.ann));
  const bob = asCli(await add('bob@example.com', 'Bob', USERS.bob));
  await engine.createInstance(tenant.id, 'crm-prod');
  const roster = await engine.requestAdminChange(ann, { operation: 'admin_add', email: 'cat@example.com', name: 'Cat', role: 'system_admin', instances: ['crm-prod'], identities: [slackId(USERS.cat)] });
  await engine.decide(bob, roster.id, 'approve');
  const cat = asCli(await engine.adminByEmail(tenant.id, 'cat@example.com'));
  clock.advanceHours(1 / 60);
  await server.scheduler.deliver();
  api.calls.length = 0;
  api.messages.clear();
  const slack = new FakeSlackPlatform({ serverUrl: server.url, signingSecret, clock, api, teamId: TEAM });
  return {
    server, engine, clock, logger, api, slack, signingSecret, tenantId: tenant.id, ann, bob, cat, instance: 'crm-prod',
    close: async () => {
      await server.close();
      await api.close();
      await db.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
