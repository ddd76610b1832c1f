import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageRefusal, parseArgs } from './fake-slack-blocks.js';

type Json = Record<string, unknown>;

/** One Web API call as the fake received it. */
export interface SlackCall {
  method: string;
  args: Json;
  /** What the fake answered: 200 (with ok true or false) or 429. */
  status: number;
  error: string | null;
}

/** A message in a conversation, as last posted or updated. */
export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Json[];
  updates: number;
}

/** A post to a response_url. */
export interface ResponsePost {
  url: string;
  body: Json;
}

/**
 * A protocol-level fake of Slack's Web API on 127.0.0.1 (POST /api/<method>, form or JSON bodies): checks the
 * bot token, implements the methods dualkey calls, enforces message limits (`invalid_blocks`, `msg_too_long`),
 * answers 429 with Retry-After on demand, and records every call. It also hosts response_url endpoints.
 */
export class FakeSlackApi {
  readonly calls: SlackCall[] = [];
  readonly messages = new Map<string, PostedMessage>();
  readonly responses: ResponsePost[] = [];
  private readonly limited = new Map<string, { times: number; retryAfterSec: number }>();
  private readonly responseUses = new Map<string, number>();
  private seq = 0;
  private waiters: Array<() => void> = [];
  private held: Promise<void> | null = null;

  private constructor(private readonly server: Server, readonly port: number, private readonly token: string) {}

  /** Starts the fake on a random port; `token` is the only bot token it accepts. */
  static async start(token: string): Promise<FakeSlackApi> {
    let self: FakeSlackApi | null = null;
    const server = createServer((req, res) => void self!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    self = new FakeSlackApi(server, (server.address() as AddressInfo).port, token);
    return self;
  }

  /** SLACK_API_URL for dualkey. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** A fresh response_url, as Slack puts in each command and interaction. */
  responseUrl(): string {
    return `http://127.0.0.1:${this.port}/response/${++this.seq}`;
  }

  /** The next `times` calls of `method` answer 429 with `Retry-After: retryAfterSec`. */
  rateLimit(method: string, times: number, retryAfterSec: number): void {
    this.limited.set(method, { times, retryAfterSec });
  }

  /** Successful calls of one method. */
  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200 && c.error === null);
  }

  /** What was posted to one response_url. */
  responsesTo(url: string): ResponsePost[] {
    return this.responses.filter((r) => r.url === url);
  }

  /** Resolves once `url` has received at least `n` posts (replies come after the ack). */
  async waitForResponse(url: string, n = 1, timeoutMs = 10_000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    while (this.responsesTo(url).length < n) {
      if (Date.now() > deadline) throw new Error(`no response posted to ${url} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.responsesTo(url)[n - 1]!.body;
  }

  /** Holds every response_url post unanswered and unrecorded until the returned function is called. */
  holdResponses(): () => void {
    let release!: () => void;
    this.held = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.held = null;
      release();
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
    };
    if (path.startsWith('/response/') && this.held) await this.held;
    if (path.startsWith('/response/')) return this.response(`http://127.0.0.1:${this.port}${path}`, raw, send);
    const m = /^\/api\/([a-zA-Z.]+)$/.exec(path);
    if (req.method !== 'POST' || !m) return send(404, { ok: false, error: 'unknown_method' });
    const method = m[1]!;
    const args = parseArgs(req.headers['content-type'], raw);
    const limit = this.limited.get(method);
    if (limit && limit.times > 0) {
      limit.times--;
      this.calls.push({ method, args, status: 429, error: 'ratelimited' });
      return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limit.retryAfterSec) });
    }
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (typeof args.token === 'string' ? args.token : null);
    const result = bearer === null ? { ok: false, error: 'not_authed' } : bearer !== this.token ? { ok: false, error: 'invalid_auth' } : this.call(method, args);
    this.calls.push({ method, args, status: 200, error: result.ok ? null : String(result.error) });
    send(200, result);
  }

  private call(method: string, a: Json): Json {
    const fail = (error: string, extra: Json = {}) => ({ ok: false, error, ...extra });
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake', user: 'dualkey', team_id: 'T0FAKE', user_id: 'U0BOT', bot_id: 'B0BOT' };
      case 'users.info':
        return typeof a.user === 'string' && /^[UW][A-Z0-9]+$/.test(a.user) ? { ok: true, user: { id: a.user, name: a.user.toLowerCase(), deleted: false } } : fail('user_not_found');
      case 'conversations.open': {
        const users = String(a.users ?? '').split(',').filter(Boolean);
        if (users.length === 0) return fail('users_list_not_supplied');
        if (!users.every((u) => /^[UW][A-Z0-9]+$/.test(u))) return fail('user_not_found');
        return { ok: true, channel: { id: `D${users.join('').slice(1, 11)}` } };
      }
      case 'chat.postMessage':
      case 'chat.postEphemeral':
      case 'chat.update': {
        if (typeof a.channel !== 'string' || !/^[CDG][A-Z0-9]+$/.test(a.channel)) return fail('channel_not_found');
        const refusal = messageRefusal(a);
        if (refusal) return fail(refusal.error, refusal.extra);
        if (method === 'chat.postEphemeral') return { ok: true, message_ts: this.nextTs() };
        if (method === 'chat.update') {
          const existing = this.messages.get(`${a.channel}/${String(a.ts)}`);
          if (!existing) return fail('message_not_found');
          Object.assign(existing, { text: String(a.text ?? ''), blocks: (a.blocks as Json[]) ?? [], updates: existing.updates + 1 });
          return { ok: true, channel: a.channel, ts: existing.ts, text: existing.text };
        }
        const ts = this.nextTs();
        this.messages.set(`${a.channel}/${ts}`, { channel: a.channel, ts, text: String(a.text ?? ''), blocks: (a.blocks as Json[]) ?? [], updates: 0 });
        return { ok: true, channel: a.channel, ts, message: { ts, text: a.text } };
      }
      default:
        return fail('unknown_method');
    }
  }

  private response(url: string, raw: string, send: (status: number, body: unknown) => void): void {
    const uses = (this.responseUses.get(url) ?? 0) + 1;
    this.responseUses.set(url, uses);
    // Slack accepts up to five posts to one response_url.
    if (uses > 5) return send(404, { ok: false, error: 'used_url' });
    let body: Json;
    try {
      body = JSON.parse(raw) as Json;
    } catch {
      return send(400, { ok: false, error: 'invalid_payload' });
    }
    const refusal = messageRefusal(body);
    if (refusal) return send(400, { ok: false, error: refusal.error, ...refusal.extra });
    this.responses.push({ url, body });
    for (const w of this.waiters.splice(0)) w();
    send(200, { ok: true });
  }

  private nextTs(): string {
    return `${1_800_000_000 + Math.floor(this.calls.length / 1000)}.${String(++this.seq).padStart(6, '0')}`;
  }
}
