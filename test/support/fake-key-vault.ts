import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, privateEncrypt, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FakeAzureTokenEndpoint } from './fake-azure-token-endpoint.js';
import { localTls } from './fake-azure-tls.js';
import { hsmUnwrapByok } from './fake-key-vault-hsm.js';

type Json = Record<string, unknown>;

/** One REST call the fake answered (bodies as parsed JSON; a test asserts what travelled). */
export interface KeyVaultCall {
  method: string;
  path: string;
  status: number;
  request: Json | null;
  response: unknown;
}

interface Version {
  version: string;
  key: KeyObject;
  kty: string;
  ops: string[];
  created: number;
}

interface StoredKey {
  versions: Version[];
  enabled: boolean;
  deletedAt?: number;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const b64 = (b: Buffer) => b.toString('base64url');
const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * A protocol-level fake of Azure Key Vault's keys REST API on https://127.0.0.1 for the real
 * @azure/keyvault-keys client: challenge authentication against the fake token endpoint, import (JWK and
 * BYOK `key_hsm`, unwrapped here with the KEK it holds — the fake plays the HSM), create, get,
 * unwrapkey (real RSA-OAEP-256), sign, delete, deleted-key poll and purge, purge protection, disabled
 * keys, injected 429 (Retry-After) and 5xx, and a record of every call.
 */
export class FakeKeyVault {
  readonly calls: KeyVaultCall[] = [];
  private readonly keys = new Map<string, StoredKey>();
  private faults: { status: number; retryAfterSeconds?: number; path?: RegExp }[] = [];
  /** Authenticated requests still to leave unanswered (a hung vault). */
  hangs = 0;
  /** With purge protection deletes are only soft (recoveryLevel without "Purgeable") and purge is refused. */
  purgeProtection = false;
  retentionDays = 90;
  /** When false every request fails as if the vault were unreachable (503). */
  up = true;

  private constructor(private readonly server: Server, readonly url: string, private readonly tokens: FakeAzureTokenEndpoint, private readonly now: () => Date) {}

  static async start(opts: { tokens: FakeAzureTokenEndpoint; now?: () => Date; purgeProtection?: boolean }): Promise<FakeKeyVault> {
    const tls = localTls();
    let self: FakeKeyVault | null = null;
    const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => self!.respond(req.method ?? 'GET', req.url ?? '/', req.headers.authorization, Buffer.concat(chunks).toString(), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new FakeKeyVault(server, `https://127.0.0.1:${(server.address() as AddressInfo).port}`, opts.tokens, opts.now ?? (() => new Date()));
    self.purgeProtection = opts.purgeProtection ?? false;
    return self;
  }

  /** The next `count` authenticated requests (matching `path`) fail with `status` (429 carries Retry-After). */
  injectFaults(count: number, status: number, opts: { retryAfterSeconds?: number; path?: RegExp } = {}): void {
    for (let i = 0; i < count; i++) this.faults.push({ status, ...opts });
  }

  /** Drops faults not yet served. */
  clearFaults(): void {
    this.faults = [];
  }

  /** Disables or enables a key, as its owner would in the portal. */
  setEnabled(name: string, enabled: boolean): void {
    const k = this.keys.get(name);
    if (!k || k.deletedAt !== undefined) throw new Error(`fake key vault: no key ${name}`);
    k.enabled = enabled;
  }

  /** Deletes a key (soft delete: recoverable), as its owner would in the portal. */
  softDelete(name: string): void {
    this.deleteKey(name);
  }

  /** Recovers a soft-deleted key, as its owner would in the portal. */
  recover(name: string): void {
    const k = this.keys.get(name);
    if (!k || k.deletedAt === undefined) throw new Error(`fake key vault: no deleted key ${name}`);
    k.deletedAt = undefined;
  }

  /** Whether a key exists in the vault (not deleted), is soft-deleted, or is gone (never existed or purged). */
  state(name: string): 'active' | 'deleted' | 'absent' {
    const k = this.keys.get(name);
    return !k ? 'absent' : k.deletedAt === undefined ? 'active' : 'deleted';
  }

  /** The names of keys (not deleted). */
  keyNames(): string[] {
    return [...this.keys].filter(([, k]) => k.deletedAt === undefined).map(([n]) => n);
  }

  private respond(method: string, rawUrl: string, authorization: string | undefined, body: string, res: ServerResponse): void {
    const url = new URL(rawUrl, this.url);
    const request = body ? (JSON.parse(body) as Json) : null;
    let status = 200;
    let response: unknown;
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    if (!this.up) {
      status = 503;
      response = { error: { code: 'ServiceUnavailable', message: 'The vault is unreachable (fake outage).' } };
    } else if (!token || !this.tokens.issued.has(token)) {
      // Challenge authentication: the SDK learns the authority and resource from this answer.
      status = 401;
      headers['www-authenticate'] = `Bearer authorization="${this.tokens.url}/${this.tokens.tenantId}", resource="https://vault.azure.net"`;
      response = { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } };
    } else {
      if (this.hangs > 0) {
        this.hangs--;
        this.calls.push({ method, path: url.pathname, status: 0, request, response: null });
        return;
      }
      const fault = this.faults.findIndex((f) => !f.path || f.path.test(url.pathname));
      if (fault >= 0) {
        const [f] = this.faults.splice(fault, 1);
        status = f!.status;
        if (f!.retryAfterSeconds !== undefined) headers['retry-after'] = String(f!.retryAfterSeconds);
        response = { error: { code: status === 429 ? 'Throttled' : 'InternalServerError', message: 'injected fault' } };
      } else {
        try {
          [status, response] = this.route(method, url.pathname, request);
        } catch (e) {
          if (!(e instanceof HttpError)) throw e;
          status = e.status;
          response = { error: { code: e.code, message: e.message } };
        }
      }
    }
    this.calls.push({ method, path: url.pathname, status, request, response });
    res.writeHead(status, headers).end(status === 204 ? undefined : JSON.stringify(response));
  }

  private route(method: string, path: string, body: Json | null): [number, unknown] {
    const parts = path.split('/').filter(Boolean);
    const [collection, name, a, b] = parts;
    if (collection === 'keys' && name) {
      if (method === 'PUT' && !a) return [200, this.importKey(name, body ?? {})];
      if (method === 'POST' && a === 'create') return [200, this.createKey(name, body ?? {})];
      if (method === 'GET' && !b) return [200, this.bundle(name, this.live(name), a)];
      if (method === 'DELETE' && !a) return [200, this.deleteKey(name)];
      const op = b ?? a;
      const version = b ? a : undefined;
      if (method === 'POST' && op === 'unwrapkey') return [200, this.unwrap(name, version, body ?? {})];
      if (method === 'POST' && op === 'sign') return [200, this.sign(name, version, body ?? {})];
    }
    if (collection === 'deletedkeys' && name && !a) {
      const k = this.keys.get(name);
      if (!k || k.deletedAt === undefined) throw new HttpError(404, 'KeyNotFound', `Deleted Key not found: ${name}`);
      if (method === 'GET') return [200, this.deletedBundle(name, k)];
      if (method === 'DELETE') {
        if (this.purgeProtection) throw new HttpError(403, 'Forbidden', "Operation 'purge' is not enabled for this vault.");
        this.keys.delete(name);
        return [204, null];
      }
    }
    throw new HttpError(404, 'NotFound', `fake key vault: no route for ${method} ${path}`);
  }

  private importKey(name: string, body: Json): Json {
    const jwk = (body.key ?? {}) as Record<string, string | string[] | undefined>;
    const ops = (jwk.key_ops as string[] | undefined) ?? ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'sign', 'verify'];
    let key: KeyObject;
    if (jwk.key_hsm) {
      if (jwk.kty !== 'RSA-HSM') throw new HttpError(400, 'BadParameter', 'A BYOK import (key_hsm) needs kty RSA-HSM.');
      const file = JSON.parse(Buffer.from(String(jwk.key_hsm), 'base64url').toString()) as { header?: { kid?: string; enc?: string }; ciphertext?: string };
      if (file.header?.enc !== 'CKM_RSA_AES_KEY_WRAP') throw new HttpError(400, 'BadParameter', 'Unsupported BYOK encryption.');
      const kekName = /\/keys\/([^/]+)/.exec(file.header.kid ?? '')?.[1] ?? '';
      const kek = this.keys.get(kekName);
      const kekVersion = kek && kek.deletedAt === undefined ? kek.versions.at(-1) : undefined;
      if (!kekVersion || !kekVersion.ops.includes('import')) throw new HttpError(400, 'BadParameter', 'The key exchange key is not valid for import.');
      const unwrapped = hsmUnwrapByok(kekVersion.key, Buffer.from(file.ciphertext ?? '', 'base64url'));
      if ('refused' in unwrapped) throw new HttpError(400, 'BadParameter', `BYOK import failed: ${unwrapped.refused}.`);
      key = unwrapped.key;
    } else {
      try {
        key = createPrivateKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e, d: jwk.d, p: jwk.p, q: jwk.q, dp: jwk.dp, dq: jwk.dq, qi: jwk.qi } as JsonWebKey, format: 'jwk' });
      } catch {
        throw new HttpError(400, 'BadParameter', 'The JSON Web Key is not a valid RSA private key.');
      }
    }
    // The REST API spells the import flag "Hsm".
    const kty = jwk.key_hsm || body.Hsm === true ? 'RSA-HSM' : 'RSA';
    return this.bundle(name, this.addVersion(name, { key, kty, ops }));
  }

  private createKey(name: string, body: Json): Json {
    const kty = String(body.kty ?? '');
    if (kty !== 'RSA' && kty !== 'RSA-HSM') throw new HttpError(400, 'BadParameter', `The fake creates RSA keys only, not ${kty}.`);
    const size = Number(body.key_size ?? 2048);
    if (![2048, 3072, 4096].includes(size)) throw new HttpError(400, 'BadParameter', 'Invalid key size.');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: size });
    return this.bundle(name, this.addVersion(name, { key: privateKey, kty, ops: (body.key_ops as string[] | undefined) ?? ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey', 'sign', 'verify'] }));
  }

  private addVersion(name: string, v: Omit<Version, 'version' | 'created'>): StoredKey {
    const existing = this.keys.get(name);
    if (existing?.deletedAt !== undefined) throw new HttpError(409, 'Conflict', `Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.`);
    const k = existing ?? { versions: [], enabled: true };
    k.versions.push({ ...v, version: randomBytes(16).toString('hex'), created: this.now().getTime() });
    this.keys.set(name, k);
    return k;
  }

  private live(name: string): StoredKey {
    const k = this.keys.get(name);
    if (!k || k.deletedAt !== undefined) throw new HttpError(404, 'KeyNotFound', `A key with (name/id) ${name} was not found in this key vault.`);
    return k;
  }

  private usable(name: string, version: string | undefined, op: string): Version {
    const k = this.live(name);
    const v = version ? k.versions.find((x) => x.version === version) : k.versions.at(-1);
    if (!v) throw new HttpError(404, 'KeyNotFound', `A key with (name/id) ${name}/${version} was not found in this key vault.`);
    if (!k.enabled) throw new HttpError(403, 'Forbidden', `Operation ${op} is not allowed on a disabled key.`);
    if (!v.ops.includes(op)) throw new HttpError(403, 'Forbidden', `Operation ${op} is not permitted on this key.`);
    return v;
  }

  private unwrap(name: string, version: string | undefined, body: Json): Json {
    const v = this.usable(name, version, 'unwrapKey');
    if (body.alg !== 'RSA-OAEP-256') throw new HttpError(400, 'BadParameter', `The fake unwraps RSA-OAEP-256 only, not ${String(body.alg)}.`);
    let plain: Buffer;
    try {
      plain = privateDecrypt({ key: v.key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(String(body.value), 'base64url'));
    } catch {
      throw new HttpError(400, 'BadParameter', 'Unwrap failed: the ciphertext does not decrypt with this key.');
    }
    return { kid: this.kid(name, v), value: b64(plain) };
  }

  private sign(name: string, version: string | undefined, body: Json): Json {
    const v = this.usable(name, version, 'sign');
    if (body.alg !== 'RS256') throw new HttpError(400, 'BadParameter', `The fake signs RS256 only, not ${String(body.alg)}.`);
    // RS256 over a precomputed digest: PKCS#1 v1.5 of DigestInfo(SHA-256, digest).
    const digest = Buffer.from(String(body.value), 'base64url');
    const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), digest]);
    // privateEncrypt applies PKCS#1 v1.5 type-1 padding: exactly RSASSA-PKCS1-v1_5 of that DigestInfo.
    const value = privateEncrypt({ key: v.key, padding: constants.RSA_PKCS1_PADDING }, digestInfo);
    return { kid: this.kid(name, v), value: b64(value) };
  }

  private deleteKey(name: string): Json {
    const k = this.live(name);
    k.deletedAt = this.now().getTime();
    return this.deletedBundle(name, k);
  }

  private kid(name: string, v: Version): string {
    return `${this.url}/keys/${name}/${v.version}`;
  }

  private recoveryLevel(): string {
    return this.purgeProtection ? 'Recoverable' : 'Recoverable+Purgeable';
  }

  private bundle(name: string, k: StoredKey, version?: string): Json {
    const v = version ? k.versions.find((x) => x.version === version) : k.versions.at(-1);
    if (!v) throw new HttpError(404, 'KeyNotFound', `A key with (name/id) ${name}/${version} was not found in this key vault.`);
    const pub = createPublicKey(v.key).export({ format: 'jwk' });
    return {
      key: { kid: this.kid(name, v), kty: v.kty, key_ops: v.ops, n: pub.n, e: pub.e },
      attributes: { enabled: k.enabled, created: seconds(v.created), updated: seconds(v.created), recoveryLevel: this.recoveryLevel(), recoverableDays: this.retentionDays },
    };
  }

  private deletedBundle(name: string, k: StoredKey): Json {
    return { ...this.bundle(name, k), recoveryId: `${this.url}/deletedkeys/${name}`, deletedDate: seconds(k.deletedAt!), scheduledPurgeDate: seconds(k.deletedAt! + this.retentionDays * 86_400_000) };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
