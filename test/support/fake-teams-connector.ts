import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

/** One activity the bot sent or updated, as the connector received it. */
export interface ConnectorActivity {
  conversationId: string;
  activityId: string;
  activity: Json;
  authorization: string | null;
}

/** A refusal queued with `failNext`. */
export interface ConnectorFailure {
  status: number;
  retryAfter?: string;
}

/** Teams refuses messages over about 28 KB (MessageSizeTooBig). */
const MAX_ACTIVITY_BYTES = 28 * 1024;

/**
 * A protocol-level fake of the Bot Connector (Teams' serviceUrl) on 127.0.0.1: POST /v3/conversations
 * (create a personal conversation), POST /v3/conversations/{id}/activities (send), PUT
 * /v3/conversations/{id}/activities/{activityId} (update in place). Records every sent and updated
 * activity with its Authorization header, refuses unknown activities with 404 and oversized ones with
 * 413, and answers queued failures (e.g. 429 with Retry-After) first.
 */
export class FakeTeamsConnector {
  readonly sent: ConnectorActivity[] = [];
  readonly updated: ConnectorActivity[] = [];
  readonly createdConversations: Array<{ conversationId: string; body: Json }> = [];
  /** Every request with the status it got. */
  readonly requests: Array<{ method: string; path: string; status: number }> = [];
  /** Latest content of each activity, by `${conversationId} ${activityId}`. */
  private readonly current = new Map<string, Json>();
  private failures: ConnectorFailure[] = [];
  private seq = 0;

  private constructor(private readonly server: Server, readonly serviceUrl: string) {}

  /** Starts the fake on a random port; `serviceUrl` is what activities carry. */
  static async start(): Promise<FakeTeamsConnector> {
    let self: FakeTeamsConnector | null = null;
    const server = createServer((req, res) => void self!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new FakeTeamsConnector(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/teams/`);
    return self;
  }

  /** The next requests (any route) are answered with these statuses, in order. */
  failNext(...failures: ConnectorFailure[]): void {
    this.failures.push(...failures);
  }

  /** The latest version of an activity (after updates), or undefined. */
  activity(conversationId: string, activityId: string): Json | undefined {
    return this.current.get(`${conversationId} ${activityId}`);
  }

  /** Forgets what was recorded (not the activities themselves, which stay updatable). */
  reset(): void {
    this.sent.length = 0;
    this.updated.length = 0;
    this.createdConversations.length = 0;
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/teams/, '');
    const answer = (status: number, body: Json | null, headers: Record<string, string> = {}) => {
      this.requests.push({ method: req.method ?? '', path, status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body ? JSON.stringify(body) : undefined);
    };
    const failure = this.failures.shift();
    if (failure) return answer(failure.status, { error: { code: 'Throttled', message: `fake failure ${failure.status}` } }, failure.retryAfter ? { 'retry-after': failure.retryAfter } : {});
    if (!String(req.headers['content-type'] ?? '').includes('application/json')) return answer(415, { error: { code: 'BadArgument', message: 'JSON only' } });
    if (raw.length > MAX_ACTIVITY_BYTES) return answer(413, { error: { code: 'MessageSizeTooBig', message: 'Message size too big' } });
    let body: Json;
    try {
      body = JSON.parse(raw.toString('utf8')) as Json;
    } catch {
      return answer(400, { error: { code: 'BadSyntax', message: 'invalid JSON' } });
    }
    const authorization = typeof req.headers.authorization === 'string' ? req.headers.authorization : null;
    const m = /^\/v3\/conversations(?:\/([^/]+)\/activities(?:\/([^/]+))?)?$/.exec(path);
    if (!m) return answer(404, { error: { code: 'NotFound', message: path } });
    const [, conv, activityId] = m;
    if (req.method === 'POST' && !conv) {
      const member = ((body.members as Json[] | undefined) ?? [])[0]?.id;
      if (typeof member !== 'string') return answer(400, { error: { code: 'BadArgument', message: 'members required' } });
      const conversationId = `a:personal-${member}`;
      this.createdConversations.push({ conversationId, body });
      return answer(201, { id: conversationId });
    }
    const conversationId = decodeURIComponent(conv ?? '');
    if (body.type !== 'message') return answer(400, { error: { code: 'BadArgument', message: 'only message activities' } });
    if (req.method === 'POST' && !activityId) {
      const id = `act-${++this.seq}`;
      this.current.set(`${conversationId} ${id}`, body);
      this.sent.push({ conversationId, activityId: id, activity: body, authorization });
      return answer(201, { id });
    }
    if (req.method === 'PUT' && activityId) {
      const id = decodeURIComponent(activityId);
      if (!this.current.has(`${conversationId} ${id}`)) return answer(404, { error: { code: 'ActivityNotFound', message: 'Unknown activity' } });
      this.current.set(`${conversationId} ${id}`, body);
      this.updated.push({ conversationId, activityId: id, activity: body, authorization });
      return answer(200, { id });
    }
    return answer(405, { error: { code: 'MethodNotAllowed', message: req.method ?? '' } });
  }
}

/** The Adaptive Card of an activity (the first attachment's content). */
export function cardOf(activity: Json | undefined): Json | undefined {
  const attachments = activity?.attachments as Array<{ contentType: string; content: Json }> | undefined;
  return attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

/** Every text of a card (TextBlocks, facts, action titles), joined by newlines, for assertions. */
export function cardText(card: object | undefined): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Json;
      for (const key of ['text', 'title', 'value']) if (typeof o[key] === 'string') out.push(o[key] as string);
      for (const [key, child] of Object.entries(o)) if (key !== 'data' && typeof child === 'object') walk(child);
    }
  };
  walk(card);
  return out.join('\n');
}
