import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request that went through the proxy (path and status only: bodies hold key material). */
export interface ProxiedRequest {
  method: string;
  path: string;
  status: number;
}

/** An HTTP proxy on 127.0.0.1 in front of dualkey that records what MariaDB's plugin asked for. */
export interface RecordingProxy {
  url: string;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

/** Forwards every request to `target` unchanged and records method, path and status. */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: ProxiedRequest[] = [];
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const upstream = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', status: up.statusCode ?? 0 });
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', status: 502 });
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
