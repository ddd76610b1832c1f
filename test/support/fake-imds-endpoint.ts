import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One token request as the fake IMDS saw it. */
export interface ImdsRequest {
  resource: string;
  apiVersion: string;
  /** The user-assigned identity's client id, when the caller named one. */
  clientId: string | null;
  /** Whether the request carried `Metadata: true`, which IMDS requires (a guard against SSRF). */
  metadataHeader: boolean;
}

/**
 * A fake of the Azure Instance Metadata Service's token endpoint (what a VM or an AKS pod reaches at
 * 169.254.169.254, here on http://127.0.0.1 through `AZURE_POD_IDENTITY_AUTHORITY_HOST`): a GET of
 * `/metadata/identity/oauth2/token` with `api-version`, `resource`, for a user-assigned identity
 * `client_id`, and the `Metadata: true` header. Issued tokens go to `issue`, so the fake Key Vault accepts them.
 */
export class FakeImdsEndpoint {
  readonly requests: ImdsRequest[] = [];
  /** The identities the VM has: undefined is the system-assigned one. */
  readonly identities = new Set<string | undefined>([undefined]);

  private constructor(private readonly server: Server, readonly origin: string, private readonly issue: (token: string) => void) {}

  static async start(issue: (token: string) => void): Promise<FakeImdsEndpoint> {
    let self: FakeImdsEndpoint | null = null;
    const server = createServer((req, res) => {
      const [status, body] = self!.handle(req.method ?? 'GET', new URL(req.url ?? '/', self!.origin), req.headers.metadata);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new FakeImdsEndpoint(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, issue);
    return self;
  }

  /** The environment a process on that host sees (the library then skips its availability probe). */
  get env(): Record<string, string> {
    return { AZURE_POD_IDENTITY_AUTHORITY_HOST: this.origin };
  }

  private handle(method: string, url: URL, metadata: string | string[] | undefined): [number, unknown] {
    // MSAL asks for the path with a trailing slash; IMDS answers either.
    if (method !== 'GET' || url.pathname.replace(/\/$/, '') !== '/metadata/identity/oauth2/token') return [404, { error: 'not_found' }];
    const request = {
      resource: url.searchParams.get('resource') ?? '',
      apiVersion: url.searchParams.get('api-version') ?? '',
      clientId: url.searchParams.get('client_id'),
      metadataHeader: metadata === 'true',
    };
    this.requests.push(request);
    if (!request.metadataHeader) return [400, { error: 'invalid_request', error_description: 'Required metadata header not specified' }];
    if (!['2018-02-01', '2019-08-01'].includes(request.apiVersion)) return [400, { error: 'invalid_request', error_description: `api-version ${request.apiVersion} is not supported` }];
    if (!request.resource) return [400, { error: 'invalid_request', error_description: 'Required audience parameter not specified' }];
    if (!this.identities.has(request.clientId ?? undefined)) return [400, { error: 'invalid_request', error_description: 'Identity not found' }];
    const token = randomBytes(24).toString('base64url');
    this.issue(token);
    const now = Math.floor(Date.now() / 1000);
    return [200, { access_token: token, client_id: request.clientId ?? 'system-assigned', expires_in: '3599', expires_on: String(now + 3599), ext_expires_in: '3599', not_before: String(now), resource: request.resource, token_type: 'Bearer' }];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
