import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

type Json = Record<string, unknown>;

/** The issuer of Bot Framework channel tokens. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

const b64url = (value: Json | Buffer): string => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');

/**
 * A fake of the Bot Framework's OpenID metadata (GET /v1/.well-known/openidconfiguration) and signing keys
 * (GET /v1/.well-known/keys) on 127.0.0.1, with the private key, so tests sign the channel's JWTs themselves
 * (RS256, node:crypto only). `rogue` is a key the JWKS does not publish.
 */
export class FakeTeamsOpenId {
  readonly kid = 'fake-bf-signing-key';
  readonly rogue: KeyObject;
  private readonly key: KeyObject;
  readonly fetches: string[] = [];

  private constructor(private readonly server: Server, readonly url: string, keys: { key: KeyObject; rogue: KeyObject }) {
    this.key = keys.key;
    this.rogue = keys.rogue;
  }

  static async start(): Promise<FakeTeamsOpenId> {
    const keys = { key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, rogue: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey };
    let self: FakeTeamsOpenId | null = null;
    const server = createServer((req, res) => {
      self!.fetches.push(req.url ?? '');
      const body = req.url === '/v1/.well-known/openidconfiguration' ? self!.metadata() : req.url === '/v1/.well-known/keys' ? self!.jwks() : null;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? { error: 'not found' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new FakeTeamsOpenId(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, keys);
    return self;
  }

  /** The OpenID metadata URL (the SDK derives the keys URL from it). */
  get openIdMetadataUrl(): string {
    return `${this.url}/v1/.well-known/openidconfiguration`;
  }

  /** A compact RS256 JWT; `key` defaults to the published signing key. */
  sign(claims: Json, key: KeyObject = this.key, kid: string = this.kid): string {
    const head = `${b64url({ alg: 'RS256', typ: 'JWT', kid })}.${b64url(claims)}`;
    const signature = createSign('RSA-SHA256').update(head).sign(key);
    return `${head}.${b64url(signature)}`;
  }

  /** Claims of a valid channel token for this bot and service URL, valid for an hour from now (wall clock: the SDK checks exp). */
  claims(appId: string, serviceUrl: string, extra: Json = {}): Json {
    const now = Math.floor(Date.now() / 1000);
    return { iss: BOT_FRAMEWORK_ISSUER, aud: appId, serviceurl: serviceUrl, nbf: now - 60, iat: now - 60, exp: now + 3600, ...extra };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private metadata(): Json {
    return { issuer: BOT_FRAMEWORK_ISSUER, jwks_uri: `${this.url}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'] };
  }

  private jwks(): Json {
    const jwk = this.key.export({ format: 'jwk' });
    return { keys: [{ kty: 'RSA', use: 'sig', alg: 'RS256', kid: this.kid, n: jwk.n, e: jwk.e, endorsements: ['msteams'] }] };
  }
}
