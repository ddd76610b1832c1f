import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { localTls } from './fake-azure-tls.js';

/** One token request as the fake saw it (the secret is only compared, never kept). */
export interface TokenRequest {
  tenant: string;
  clientId: string;
  scope: string;
  grantType: string;
}

/**
 * A fake Microsoft Entra authority on https://127.0.0.1 for the real ClientSecretCredential (MSAL):
 * the tenant's OpenID metadata and the v2.0 token endpoint (client_credentials), which checks the client
 * id and secret and issues opaque bearer tokens the fake Key Vault accepts.
 */
export class FakeAzureTokenEndpoint {
  readonly requests: TokenRequest[] = [];
  readonly issued = new Set<string>();
  /** Token lifetime in seconds (MSAL refreshes ahead of expiry). */
  expiresIn = 3599;

  private constructor(private readonly server: Server, readonly url: string, readonly tenantId: string, readonly clientId: string, readonly clientSecret: string) {}

  static async start(opts: { tenantId?: string; clientId?: string; clientSecret?: string } = {}): Promise<FakeAzureTokenEndpoint> {
    const tls = localTls();
    let self: FakeAzureTokenEndpoint | null = null;
    const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const [status, body] = self!.handle(req.method ?? 'GET', new URL(req.url ?? '/', self!.url), Buffer.concat(chunks).toString());
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    self = new FakeAzureTokenEndpoint(server, url, opts.tenantId ?? '72f988bf-0000-4000-8000-00000000c0de', opts.clientId ?? 'dualkey-test-client', opts.clientSecret ?? randomBytes(18).toString('base64url'));
    return self;
  }

  private handle(method: string, url: URL, body: string): [number, unknown] {
    const [tenant, ...rest] = url.pathname.split('/').filter(Boolean);
    const path = rest.join('/');
    if (tenant !== this.tenantId) return [400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${tenant}' not found.` }];
    const base = `${this.url}/${tenant}`;
    if (method === 'GET' && (path === 'v2.0/.well-known/openid-configuration' || path === '.well-known/openid-configuration')) {
      return [200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        issuer: `${base}/v2.0`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      }];
    }
    if (method === 'POST' && path === 'oauth2/v2.0/token') {
      const form = new URLSearchParams(body);
      const request = { tenant, clientId: form.get('client_id') ?? '', scope: form.get('scope') ?? '', grantType: form.get('grant_type') ?? '' };
      this.requests.push(request);
      if (request.grantType !== 'client_credentials') return [400, { error: 'unsupported_grant_type' }];
      if (request.clientId !== this.clientId || form.get('client_secret') !== this.clientSecret) return [401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' }];
      const token = randomBytes(24).toString('base64url');
      this.issued.add(token);
      return [200, { token_type: 'Bearer', expires_in: this.expiresIn, ext_expires_in: this.expiresIn, access_token: token }];
    }
    return [404, { error: 'not_found', path: url.pathname }];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
