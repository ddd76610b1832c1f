import type { Engine } from '../../core/engine.js';
import { sendJson } from './http-errors.js';
import type { Route } from './route.js';
import type { HttpMetrics } from './http-metrics.js';

/** /healthz (process up), /readyz (database and vault reachable), /metrics (Prometheus text). */
export function healthRoutes(engine: Engine, metrics: HttpMetrics): Route[] {
  return [
    { name: 'healthz', method: 'GET', path: /^\/healthz$/, handler: async (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    {
      name: 'readyz',
      method: 'GET',
      path: /^\/readyz$/,
      handler: async (_req, res) => {
        const database = await engine.deps.uow.run((store) => store.audit.anchor()).then(() => true, () => false);
        const vault = await engine.deps.vault.ping().catch(() => false);
        sendJson(res, database && vault ? 200 : 503, { status: database && vault ? 'ready' : 'not_ready', database, vault });
      },
    },
    {
      name: 'metrics',
      method: 'GET',
      path: /^\/metrics$/,
      handler: async (_req, res) => {
        const body = metrics.render();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'cache-control': 'no-store' });
        res.end(body);
      },
    },
  ];
}
