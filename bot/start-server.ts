import type { AddressInfo } from 'node:net';
import type { Channel } from '../core/model/outbox-message.js';
import type { AlertChannel } from '../core/ports/alert-channel.js';
import type { Logger } from '../core/ports/logger.js';
import { createChannels } from './channels/create-channels.js';
import { WebhookChannel } from './channels/webhook-channel.js';
import { nodeCronSchedule } from './runtime/node-cron-schedule.js';
import { Scheduler } from './scheduler/scheduler.js';
import { shareOverSocket } from '../db/share-over-socket.js';
import { serveCliOverSocket } from './cli/cli-socket-server.js';
import type { Config } from './runtime/config.js';
import { custodyWarnings } from './runtime/custody-warnings.js';
import { createJsonLogger } from './runtime/json-logger.js';
import { openRuntime, type Runtime, type RuntimeOverrides } from './runtime/open-runtime.js';
import { dataPlaneRoutes } from './web/data-plane-routes.js';
import { healthRoutes } from './web/health-routes.js';
import { kvRoutes } from './web/kv-routes.js';
import { HttpMetrics } from './web/http-metrics.js';
import { createHttpServer } from './web/http-server.js';
import { mountTeams } from './teams/mount-teams.js';
import type { TeamsOverrides } from './teams/teams-app.js';
import { createSlackTransport } from './slack/create-slack-transport.js';
import { pageRoutes } from './web/pages/page-routes.js';
import { consoleRoutes } from './web/console/console-routes.js';
import { simpleWebAuthnVerifier } from './web/console/webauthn-verifier.js';
import { defaultFromAddress } from './channels/create-channels.js';
import { signInMailer } from './channels/sign-in-mailer.js';

/** A running `dualkey serve`. */
export interface RunningServer {
  url: string;
  runtime: Runtime;
  scheduler: Scheduler;
  close(): Promise<void>;
}

/** What tests may replace when starting a server. */
export interface ServerOverrides extends RuntimeOverrides {
  channels?: Partial<Record<Channel, AlertChannel>>;
  /** false: no timers; the test calls `scheduler.tick()` / `deliver()` itself with its injected clock. */
  startScheduler?: boolean;
  /** Teams SDK endpoints and token source (tests point them at local fakes). */
  teams?: TeamsOverrides;
}

/** Starts the HTTP server, shares the embedded database with the CLI, runs recovery, and starts the scheduler. */
export async function startServer(config: Config, overrides: ServerOverrides = {}): Promise<RunningServer> {
  const logger: Logger = overrides.logger ?? createJsonLogger();
  const channels = overrides.channels ?? createChannels(config);
  const runtime = await openRuntime(config, { ...overrides, logger });
  const { engine } = runtime;
  // The server records what it delivers on; CLI runs and other replicas write alerts for exactly these.
  const delivered = Object.keys(channels) as Channel[];
  await engine.recordDeploymentChannels(delivered);
  if (delivered.length === 0) {
    logger.warn('no alert channel is configured: admins are told of key changes and locks only in their console inbox; set SMTP_URL, or Slack or Teams credentials', {});
  }
  for (const warning of await custodyWarnings(runtime.vault, config)) logger.warn(warning, { vault: config.DUALKEY_VAULT });
  const shared = runtime.database.kind === 'pglite' ? await shareOverSocket(runtime.database, runtime.dataDir) : null;
  const recovery = await engine.recover();
  logger.info('journal recovery at start', { ...recovery });
  // Beside an embedded database, serve answers read-only CLI commands itself (bot/cli/forwarded-commands.ts).
  const cliSocket = shared ? await serveCliOverSocket({ dataDir: runtime.dataDir, engine, config, logger }) : null;
  if (runtime.engine.deps.devImpersonation) {
    logger.warn('!!! DUALKEY_DEV_IMPERSONATION=true: the operator CLI can act as ANY admin with --as, so one person can open and approve a key change or a lock alone. Local development only; refused with NODE_ENV=production. !!!');
  }

  // Offline hooks are delivered by every server, whatever alert channels are configured (their URLs are stored state).
  const delivery = { webhook: new WebhookChannel({ target: (id) => engine.offlineHookTarget(id), clock: engine.deps.clock }), ...channels };
  const scheduler = new Scheduler({
    engine, channels: delivery, schedule: nodeCronSchedule(), logger, reminderHours: config.DUALKEY_REMINDER_HOURS, keySweepMs: config.DUALKEY_KEY_CACHE_SWEEP_MS,
  });
  if (overrides.startScheduler !== false) scheduler.start();

  const metrics = new HttpMetrics();
  const slack = createSlackTransport(config, { engine, logger, publicUrl: () => config.PUBLIC_URL ?? url });
  const teams = await mountTeams(config, { engine, database: runtime.database, logger, channel: channels.teams, publicUrl: () => config.PUBLIC_URL ?? url }, overrides.teams);
  const mailer = config.SMTP_URL ? signInMailer(config.SMTP_URL, config.SMTP_FROM ?? defaultFromAddress(config)) : null;
  const consoleRouteList = consoleRoutes(engine, config, { publicUrl: () => config.PUBLIC_URL ?? url, mailer });
  const server = createHttpServer([...healthRoutes(engine, metrics), ...dataPlaneRoutes(engine), ...kvRoutes(engine, logger), ...pageRoutes(engine, config, simpleWebAuthnVerifier(() => config.PUBLIC_URL ?? url)), ...consoleRouteList, ...(slack?.routes ?? []), ...teams.routes], logger, metrics);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  logger.info('dualkey serving', { url, database: runtime.database.kind, vault: config.DUALKEY_VAULT, sharedSocket: shared?.path ?? null, cliSocket: cliSocket?.path ?? null });
  slack?.start();
  return {
    url,
    runtime,
    scheduler,
    close: async () => {
      await scheduler.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await slack?.stop();
      // Both at once: a command being answered may wait for the database that a CLI session over the other socket holds.
      await Promise.all([cliSocket?.close(), shared?.close()]);
      await runtime.close();
    },
  };
}
