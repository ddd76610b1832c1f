import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One token request as the fake saw it. */
export interface ManagedIdentityRequest {
  resource: string;
  apiVersion: string;
  /** The user-assigned identity's client id, when the caller named one. */
  clientId: string | null;
  /** Whether the X-IDENTITY-HEADER secret matched. */
  authenticated: boolean;
}

/**
 * A fake of the App Service / Container Apps managed-identity endpoint (the one `IDENTITY_ENDPOINT` and
 * `IDENTITY_HEADER` point at) on http://127.0.0.1: a GET with `api-version=2019-08-01`, `resource` and, for
 * a user-assigned identity, `client_id`, carrying the `X-IDENTITY-HEADER` secret. Issued tokens go to
 * `issue`, so the fake Key Vault accepts them like the Entra fake's.
 */
export class FakeManagedIdentityEndpoint {
  readonly requests: ManagedIdentityRequest[] = [];
  /** The identities the host has: undefined is the system-assigned one. */
  readonly identities = new Set<string | undefined>([undefined]);

  private constructor(private readonly server: Server, readonly url: string, readonly header: string, private readonly issue: (token: string) => void) {}

  static async start(issue: (token: string) => void): Promise<FakeManagedIdentityEndpoint> {
    let self: FakeManagedIdentityEndpoint | null = null;
    const server = createServer((req, res) => {
      const [status, body] = self!.handle(req.method ?? 'GET', new URL(req.url ?? '/', self!.url), req.headers['x-identity-header']);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`;
    self = new FakeManagedIdentityEndpoint(server, url, randomBytes(16).toString('hex'), issue);
    return self;
  }

  /** The environment a process on that host sees. */
  get env(): Record<string, string> {
    return { IDENTITY_ENDPOINT: this.url, IDENTITY_HEADER: this.header };
  }

  private handle(method: string, url: URL, header: string | string[] | undefined): [number, unknown] {
    if (method !== 'GET' || url.pathname !== '/msi/token') return [404, { error: 'not_found' }];
    const request = {
      resource: url.searchParams.get('resource') ?? '',
      apiVersion: url.searchParams.get('api-version') ?? '',
      clientId: url.searchParams.get('client_id'),
      authenticated: header === this.header,
    };
    this.requests.push(request);
    if (!request.authenticated) return [401, { statusCode: 401, message: 'Unauthorized: the X-IDENTITY-HEADER does not match' }];
    if (request.apiVersion !== '2019-08-01') return [400, { statusCode: 400, message: `api-version ${request.apiVersion} is not supported` }];
    if (!this.identities.has(request.clientId ?? undefined)) {
      return [400, { statusCode: 400, message: `No user-assigned identity with client id ${request.clientId} is assigned to this host.` }];
    }
    const token = randomBytes(24).toString('base64url');
    this.issue(token);
    return [200, { access_token: token, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource: request.resource, token_type: 'Bearer', client_id: request.clientId ?? 'system-assigned' }];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
