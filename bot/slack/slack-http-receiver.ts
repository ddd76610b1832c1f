import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import { sendJson } from '../web/http-errors.js';
import type { Route } from '../web/route.js';
import { parseSlackBody } from './parse-slack-body.js';
import { verifySlackSignature } from './verify-slack-signature.js';

/** Options of the receiver: the signing secret, the engine's clock (signature age), a logger. */
export interface SlackHttpReceiverOptions {
  signingSecret: string;
  clock: Clock;
  logger: Logger;
  /** When a listener has not acknowledged by then, answer 200 anyway (Slack gives up at 3 s). */
  ackTimeoutMs?: number;
}

/** Slack posts small bodies; a block_actions payload carries the whole message, well under this. */
const MAX_BODY_BYTES = 1024 * 1024;

async function readRaw(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * A custom Bolt Receiver mounted as `POST /slack/events` on dualkey's one HTTP server: verifies the v0
 * signature itself with the injected clock, parses commands, interactivity and events, answers
 * url_verification, and hands the rest to `app.processEvent`, whose `ack` writes the HTTP response.
 */
export class SlackHttpReceiver implements Receiver {
  private app: App | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private unanswered = 0;
  private lastArrival = 0;

  constructor(private readonly o: SlackHttpReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  /** Nothing to start: the route is served by `dualkey serve`'s HTTP server. */
  async start(): Promise<void> {}

  /** Waits for work still running after its ack (replies through response_url). */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** True while requests await their ack, or arrived in the last 25 ms (a burst): work after acks yields meanwhile. */
  get busy(): boolean {
    return this.unanswered > 0 || performance.now() - this.lastArrival < 25;
  }

  /** The route to mount. */
  route(): Route {
    return { name: 'slack.events', method: 'POST', path: /^\/slack\/events$/, handler: (req, res) => this.handle(req, res) };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.unanswered++;
    this.lastArrival = performance.now();
    let counted = true;
    const answered = () => {
      if (counted) this.unanswered--;
      counted = false;
    };
    res.once('finish', answered).once('close', answered);
    const raw = await readRaw(req);
    if (raw === null) return sendJson(res, 413, { error: { code: 'body_too_large', message: 'Slack request bodies are limited to 1 MiB.' } });
    const check = verifySlackSignature({
      signingSecret: this.o.signingSecret,
      timestamp: header(req, 'x-slack-request-timestamp'),
      signature: header(req, 'x-slack-signature'),
      rawBody: raw,
      now: this.o.clock.now(),
    });
    if (!check.ok) {
      this.o.logger.warn('slack: request refused', { reason: check.reason });
      return sendJson(res, 401, { error: { code: 'slack_signature_invalid', message: `Request not verified (${check.reason}).` } });
    }
    const body = parseSlackBody(header(req, 'content-type'), raw);
    if (!body) return sendJson(res, 400, { error: { code: 'invalid_input', message: 'Not a Slack command, interaction or event body.' } });
    if (body.ssl_check) return void res.writeHead(200).end();
    if (body.type === 'url_verification') return sendJson(res, 200, { challenge: String(body.challenge ?? '') });
    if (!this.app) throw new Error('SlackHttpReceiver used before Bolt called init()');

    let acked = false;
    const respond = (status: number, response?: unknown) => {
      if (acked) return;
      acked = true;
      if (response === undefined || response === '') res.writeHead(status, { 'content-length': 0 }).end();
      else if (typeof response === 'string') res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(response);
      else sendJson(res, status, response);
    };
    const retry = header(req, 'x-slack-retry-num');
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => respond(200, response),
      ...(retry && /^\d+$/.test(retry) ? { retryNum: Number(retry), retryReason: header(req, 'x-slack-retry-reason') ?? '' } : {}),
    };
    const timer = setTimeout(() => {
      if (!acked) this.o.logger.warn('slack: no acknowledgement in time; answering 200');
      respond(200);
    }, this.o.ackTimeoutMs ?? 2500);
    const work = this.app.processEvent(event).then(
      () => respond(200),
      (e: unknown) => {
        this.o.logger.error('slack: event processing failed', { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
        respond(500);
      },
    ).finally(() => clearTimeout(timer));
    this.inFlight.add(work);
    try {
      await work;
    } finally {
      this.inFlight.delete(work);
    }
  }
}
