import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Engine } from '../../core/engine.js';
import type { Actor } from '../../core/model/actor.js';
import type { Admin, Identity } from '../../core/model/admin.js';
import { loadConfig } from '../../bot/runtime/config.js';
import { startServer, type RunningServer, type ServerOverrides } from '../../bot/start-server.js';
import { TeamsConversationRepo } from '../../bot/teams/teams-conversation-repo.js';
import { MemoryLogger } from './engine-harness.js';
import { FakeSlackApi } from './fake-slack-api.js';
import { teamsActivities, teamsUser, type TeamsUser } from './fake-teams-activities.js';
import { FakeTeamsConnector } from './fake-teams-connector.js';
import { TestClock } from './test-clock.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** The Entra tenant of the test organisation, and the Slack workspace its admins also use. */
export const TEAMS_TENANT = '11111111-2222-3333-4444-555555555555';
const SLACK_TEAM = 'T0ACME';
const SLACK_BOT_TOKEN = 'xoxb-1111-2222-fakebottoken';

/** A running server with Teams (development mode, connector faked) and Slack (Web API faked), tenant acme seeded. */
export interface TeamsWorld {
  server: RunningServer;
  engine: Engine;
  clock: TestClock;
  logger: MemoryLogger;
  connector: FakeTeamsConnector;
  slackApi: FakeSlackApi;
  conversations: TeamsConversationRepo;
  activities: ReturnType<typeof teamsActivities>;
  tenantId: string;
  /** Teams users: ann, bob (global admins), cat (system_admin of crm-prod), dan (global, never talks to the bot), stranger (not linked). */
  users: Record<'ann' | 'bob' | 'cat' | 'dan' | 'stranger', TeamsUser>;
  admins: Record<'ann' | 'bob' | 'cat' | 'dan', Admin>;
  instance: string;
  /** The actor of an admin acting from Slack. */
  onSlack(admin: Admin): Actor;
  close(): Promise<void>;
}

const teamsId = (u: TeamsUser): Identity => ({ platform: 'teams', workspace: u.tenantId, userId: u.aadObjectId });
const slackId = (userId: string): Identity => ({ platform: 'slack', workspace: SLACK_TEAM, userId });

/** Starts fakes and server (scheduler off, injected clock), seeds the tenant, delivers and forgets the seeding alerts. */
export async function startTeamsWorld(env: Record<string, string> = {}, overrides: ServerOverrides = {}): Promise<TeamsWorld> {
  const connector = await FakeTeamsConnector.start();
  const slackApi = await FakeSlackApi.start(SLACK_BOT_TOKEN);
  const db: TestDatabase = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dualkey-e2e-teams-'));
  const clock = new TestClock();
  const logger = new MemoryLogger();
  const config = loadConfig({
    DUALKEY_DATA_DIR: dataDir, PORT: '0', PUBLIC_URL: 'https://dualkey.example.com', TEAMS_ALLOW_UNAUTHENTICATED: 'true',
    SLACK_BOT_TOKEN, SLACK_API_URL: slackApi.apiUrl, SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'), DUALKEY_DEV_IMPERSONATION: 'true', ...env,
  });
  const server = await startServer(config, { database: db.database, clock, logger, startScheduler: false, ...overrides });
  const engine = server.runtime.engine;
  const users = { ann: teamsUser(TEAMS_TENANT, 'Ann'), bob: teamsUser(TEAMS_TENANT, 'Bob'), cat: teamsUser(TEAMS_TENANT, 'Cat'), dan: teamsUser(TEAMS_TENANT, 'Dan'), stranger: teamsUser(TEAMS_TENANT, 'Stranger') };
  const tenant = await engine.createTenant('acme', { selfManagedKeys: true });
  const add = (email: string, name: string, identities: Identity[]) => engine.addAdmin(tenant.id, { email, name, role: 'global_admin', instances: [], identities });
  const ann = await add('ann@example.com', 'Ann', [teamsId(users.ann), slackId('U0ANN')]);
  const bob = await add('bob@example.com', 'Bob', [teamsId(users.bob), slackId('U0BOB')]);
  for (const name of ['crm-prod', 'hr-prod']) await engine.createInstance(tenant.id, name);
  const roster = async (email: string, name: string, role: 'global_admin' | 'system_admin', instances: string[], identity: Identity) => {
    // Seeded as Ann and Bob acting from the console, so a world started without the dev flag seeds too.
    const r = await engine.requestAdminChange({ admin: ann, transport: 'web' }, { operation: 'admin_add', email, name, role, instances, identities: [identity] });
    await engine.decide({ admin: bob, transport: 'web' }, r.id, 'approve');
    return engine.adminByEmail(tenant.id, email);
  };
  const cat = await roster('cat@example.com', 'Cat', 'system_admin', ['crm-prod'], teamsId(users.cat));
  const dan = await roster('dan@example.com', 'Dan', 'global_admin', [], teamsId(users.dan));
  clock.advanceHours(1 / 60);
  await server.scheduler.deliver();
  connector.reset();
  slackApi.calls.length = 0;
  return {
    server, engine, clock, logger, connector, slackApi, users, tenantId: tenant.id, instance: 'crm-prod',
    conversations: new TeamsConversationRepo(server.runtime.database),
    activities: teamsActivities(connector.serviceUrl),
    admins: { ann, bob, cat, dan },
    onSlack: (admin) => ({ admin, transport: 'slack' }),
    close: async () => {
      await server.close();
      await connector.close();
      await slackApi.close();
      await db.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
