import { App, SocketModeReceiver } from '@slack/bolt';
import type { Engine } from '../../core/engine.js';
import type { Logger } from '../../core/ports/logger.js';
import type { Config } from '../runtime/config.js';
import type { Route } from '../web/route.js';
import { boltLogger } from './bolt-logger.js';
import { registerSlackListeners } from './register-slack-listeners.js';
import { SlackHttpReceiver } from './slack-http-receiver.js';
import { slackClientOptions } from './slack-web-client.js';

/** The running Slack transport: HTTP (a route on dualkey's server) or Socket Mode (an outbound connection). */
export interface SlackTransport {
  mode: 'http' | 'socket';
  app: App;
  /** `POST /slack/events` in HTTP mode; none in Socket Mode. */
  routes: Route[];
  /** Connects Socket Mode (in the background; Bolt reconnects by itself); nothing to do in HTTP mode. */
  start(): void;
  /** Disconnects Socket Mode, and waits for replies still being written. */
  stop(): Promise<void>;
}

/** What the transport needs from `dualkey serve`. */
export interface SlackTransportDeps {
  engine: Engine;
  logger: Logger;
  /** Where the one-time pages are (PUBLIC_URL, or the server's own URL). */
  publicUrl: () => string;
}

/**
 * Builds the Slack transport from the configuration: Socket Mode when SLACK_APP_TOKEN is set, else
 * HTTP when SLACK_SIGNING_SECRET is set; null when neither is (Slack disabled).
 */
export function createSlackTransport(config: Config, deps: SlackTransportDeps): SlackTransport | null {
  const { engine, logger } = deps;
  const socket = config.SLACK_APP_TOKEN ? new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN, logger: boltLogger(logger) }) : null;
  const http = !socket && config.SLACK_SIGNING_SECRET ? new SlackHttpReceiver({ signingSecret: config.SLACK_SIGNING_SECRET, clock: engine.deps.clock, logger }) : null;
  const receiver = socket ?? http;
  if (!receiver) return null;
  if (!config.SLACK_BOT_TOKEN) logger.warn('slack: SLACK_BOT_TOKEN is not set; /dualkey works but no alert DMs can be sent');
  const botToken = config.SLACK_BOT_TOKEN;
  const app = new App({
    receiver,
    // One workspace, one bot token: no auth.test round trip before each event.
    authorize: async () => (botToken ? { botToken } : {}),
    clientOptions: slackClientOptions(config.SLACK_API_URL, logger),
    logger: boltLogger(logger),
    convoStore: false,
    ignoreSelf: false,
  });
  // In HTTP mode, replies wait while a burst of requests awaits its acks (each for at most 10 s; response_url lasts 30 min).
  const work = registerSlackListeners(app, deps, http ? { yieldTo: () => http.busy, maxYieldMs: 10_000 } : null);
  let connecting: Promise<unknown> | null = null;
  return {
    mode: socket ? 'socket' : 'http',
    app,
    routes: http ? [http.route()] : [],
    start: () => {
      if (!socket || connecting) return;
      connecting = app.start().catch((e: unknown) => logger.error('slack: Socket Mode failed to connect', { error: e instanceof Error ? e.message : String(e) }));
    },
    stop: async () => {
      if (connecting) await app.stop().catch(() => undefined);
      await http?.stop();
      await work.idle();
    },
  };
}
