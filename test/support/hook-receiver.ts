import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call an offline hook received, with whether its signature checked out under the secret. */
export interface HookCall {
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
  signatureValid: boolean;
  status: number;
}

/** A tiny offline-hook receiver on 127.0.0.1, checking X-Dualkey-Signature the way the README tells receivers to. */
export interface HookReceiver {
  url: string;
  calls: HookCall[];
  /** The secret `instance set --offline-hook` printed (set after the hook is created). */
  secret: string | null;
  /** What to do with each call: the status to answer (default 200), after any work (stopping a database). */
  respond: (call: Omit<HookCall, 'status'>) => Promise<number> | number;
  close(): Promise<void>;
}

/** Independently computed: hex HMAC-SHA256 over `<timestamp>.<body>` with the secret's text as key. */
export function expectedSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', Buffer.from(secret)).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Starts a receiver; every call is recorded. */
export async function startHookReceiver(): Promise<HookReceiver> {
  const r: HookReceiver = {
    url: '', calls: [], secret: null, respond: () => 200,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const ts = String(req.headers['x-dualkey-timestamp'] ?? '');
        const presented = Buffer.from(String(req.headers['x-dualkey-signature'] ?? ''));
        const wanted = Buffer.from(r.secret ? expectedSignature(r.secret, ts, body) : '');
        const signatureValid = presented.length === wanted.length && wanted.length > 0 && timingSafeEqual(presented, wanted);
        const call = { headers: req.headers, body, json: JSON.parse(body) as Record<string, unknown>, signatureValid };
        const status = signatureValid ? await r.respond(call) : 401;
        r.calls.push({ ...call, status });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dualkey-hook`;
  return r;
}
