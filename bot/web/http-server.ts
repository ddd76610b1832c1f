import { createServer, type Server } from 'node:http';
import type { Logger } from '../../core/ports/logger.js';
import { sendError, sendJson } from './http-errors.js';
import type { HttpMetrics } from './http-metrics.js';
import type { Route } from './route.js';

/** The one HTTP server of `dualkey serve`: every transport mounts its routes here. */
export function createHttpServer(routes: Route[], logger: Logger, metrics: HttpMetrics): Server {
  return createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    let routeName = 'unmatched';
    res.on('finish', () => metrics.record(routeName, res.statusCode));
    const candidates = routes.map((r) => ({ r, m: r.path.exec(pathname) })).filter((c) => c.m);
    if (candidates.length === 0) return sendJson(res, 404, { error: { code: 'not_found', message: `No route ${pathname}.` } });
    const hit = candidates.find((c) => c.r.method === req.method);
    if (!hit) {
      return sendJson(res, 405, { error: { code: 'method_not_allowed', message: `Use ${[...new Set(candidates.map((c) => c.r.method))].join(' or ')}.` } }, { allow: candidates.map((c) => c.r.method).join(', ') });
    }
    routeName = hit.r.name;
    hit.r.handler(req, res, hit.m!).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, e, logger);
    });
  });
}
