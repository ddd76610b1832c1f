import type { Engine } from '../../core/engine.js';
import type { KeyAccessReport } from '../../core/health/check-key-access.js';
import { sendJson } from './http-errors.js';
import type { Route } from './route.js';
import type { HttpMetrics } from './http-metrics.js';

/** /healthz (process up), /readyz (database and vault reachable; customer key access checked), /metrics (Prometheus text). */
export function healthRoutes(engine: Engine, metrics: HttpMetrics): Route[] {
  // Probes come every few seconds: one key-access pass per 30 s per process is enough, and bounded in cost.
  let last: { at: number; report: Promise<KeyAccessReport> } | null = null;
  const keyAccess = () => {
    if (!last || Date.now() - last.at > 30_000) last = { at: Date.now(), report: engine.checkKeyAccess() };
    return last.report;
  };
  return [
    { name: 'healthz', method: 'GET', path: /^\/healthz$/, handler: async (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    {
      name: 'readyz',
      method: 'GET',
      path: /^\/readyz$/,
      handler: async (_req, res) => {
        const database = await engine.deps.uow.run((store) => store.audit.anchor()).then(() => true, () => false);
        const vault = await engine.deps.vault.ping().catch(() => false);
        // A customer's disabled key is not this replica's fault: reported (and alerted once), never 503.
        const keys = database && vault ? await keyAccess().catch(() => null) : null;
        sendJson(res, database && vault ? 200 : 503, { status: database && vault ? 'ready' : 'not_ready', database, vault, keyAccess: keys && { checked: keys.checked, inaccessible: keys.inaccessible.length } });
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
