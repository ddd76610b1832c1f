import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/ports/logger.js';
import { shareOverSocket } from '../db/share-over-socket.js';
import type { Config } from './runtime/config.js';
import { createJsonLogger } from './runtime/json-logger.js';
import { openRuntime, type Runtime, type RuntimeOverrides } from './runtime/open-runtime.js';
import { dataPlaneRoutes } from './web/data-plane-routes.js';
import { healthRoutes } from './web/health-routes.js';
import { HttpMetrics } from './web/http-metrics.js';
import { createHttpServer } from './web/http-server.js';

/** A running `dualkey serve`. */
export interface RunningServer {
  url: string;
  runtime: Runtime;
  close(): Promise<void>;
}

/** How often deadlines are applied and the journal recovered. */
export const SWEEP_INTERVAL_MS = 60_000;

/** Starts the HTTP server, shares the embedded database with the CLI, runs recovery, and schedules the sweep. */
export async function startServer(config: Config, overrides: RuntimeOverrides = {}): Promise<RunningServer> {
  const logger: Logger = overrides.logger ?? createJsonLogger();
  const runtime = await openRuntime(config, { ...overrides, logger });
  const { engine } = runtime;
  const shared = runtime.database.kind === 'pglite' ? await shareOverSocket(runtime.database, runtime.dataDir) : null;
  const recovery = await engine.recover();
  logger.info('journal recovery at start', { ...recovery });

  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      await engine.recover();
      await engine.sweep();
    } catch (e) {
      logger.error('sweep failed', { error: e instanceof Error ? e.message : String(e) });
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void sweep(), SWEEP_INTERVAL_MS);
  timer.unref();

  const metrics = new HttpMetrics();
  const server = createHttpServer([...healthRoutes(engine, metrics), ...dataPlaneRoutes(engine)], logger, metrics);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  logger.info('dualkey serving', { url, database: runtime.database.kind, vault: config.DUALKEY_VAULT, sharedSocket: shared?.path ?? null });
  return {
    url,
    runtime,
    close: async () => {
      clearInterval(timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      while (sweeping) await new Promise((r) => setTimeout(r, 20));
      await shared?.close();
      await runtime.close();
    },
  };
}
