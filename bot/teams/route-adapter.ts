import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRouteHandler, IHttpServerAdapter } from '@microsoft/teams.apps';
import { sendJson } from '../web/http-errors.js';
import type { Route } from '../web/route.js';

/** Activities are small JSON documents; anything bigger is refused before parsing. */
const MAX_ACTIVITY_BYTES = 1024 * 1024;

/** Reads a JSON body, or null when it is too large or not JSON. */
async function readJson(req: IncomingMessage): Promise<{ body: unknown } | { status: number; message: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_ACTIVITY_BYTES) return { status: 413, message: 'The activity exceeds 1 MiB.' };
    chunks.push(chunk as Buffer);
  }
  try {
    return { body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { status: 400, message: 'The body is not a JSON activity.' };
  }
}

/**
 * The Teams SDK's HTTP adapter over dualkey's one node:http server: the SDK registers `/api/messages`
 * (and validates the Bot Framework JWT inside its handler); we expose it as a route of our server
 * instead of letting the SDK start its own express server.
 */
export class RouteAdapter implements IHttpServerAdapter {
  private readonly handlers = new Map<string, HttpRouteHandler>();

  registerRoute(_method: 'POST', path: string, handler: HttpRouteHandler): void {
    this.handlers.set(path, handler);
  }

  /** One POST route per path the SDK registered. */
  routes(): Route[] {
    return [...this.handlers].map(([path, handler]) => ({
      name: `teams${path.replace(/\//g, '.')}`,
      method: 'POST',
      path: new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
      handler: (req, res) => this.handle(handler, req, res),
    }));
  }

  private async handle(handler: HttpRouteHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = await readJson(req);
    if ('status' in parsed) return sendJson(res, parsed.status, { error: { code: 'invalid_input', message: parsed.message } });
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = v;
    const out = await handler({ body: parsed.body, headers });
    if (out.body === undefined || out.body === null) {
      res.writeHead(out.status, { 'cache-control': 'no-store' }).end();
      return;
    }
    sendJson(res, out.status, out.body, out.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
  }
}
