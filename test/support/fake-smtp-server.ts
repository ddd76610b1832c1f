import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { parseMime } from './parse-mime.js';

/** One message the server received (accepted or refused): envelope, main headers and text parts. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  messageId: string | null;
  inReplyTo: string | null;
  references: string | null;
  headers: Map<string, string>;
  text: string | null;
  html: string | null;
  raw: string;
}

/** Options of the fake server: with `auth`, clients must log in with exactly these credentials. */
export interface FakeSmtpOptions {
  auth?: { user: string; pass: string };
}

type Policy = { kind: 'accept' } | { kind: 'all'; code: number } | { kind: 'until'; done: (mail: ReceivedMail) => boolean; code: number };

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 that records every message and refuses on demand. Each
 * recipient's mailbox keeps one copy per Message-ID, as mail stores do, while `deliveries` counts every
 * accepted transfer, so tests can tell "one copy each" from "sent once".
 */
export class FakeSmtpServer {
  /** Every accepted transfer, repeats included, in arrival order. */
  readonly deliveries: ReceivedMail[] = [];
  /** Every refused transfer and the reply code it got. */
  readonly refusals: Array<{ code: number; mail: ReceivedMail }> = [];
  private readonly boxes = new Map<string, ReceivedMail[]>();
  private refuseCount = 0;
  private refuseCode = 451;
  private policy: Policy = { kind: 'accept' };

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
    private readonly opts: FakeSmtpOptions,
  ) {}

  /** Starts a server on a random port. */
  static async start(opts: FakeSmtpOptions = {}): Promise<FakeSmtpServer> {
    let self: FakeSmtpServer | null = null;
    const server = new SMTPServer({
      // Plain text only: no STARTTLS, so no test certificate and no TLS warnings.
      disabledCommands: ['STARTTLS'],
      authOptional: !opts.auth,
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        const ok = !opts.auth || (auth.username === opts.auth.user && auth.password === opts.auth.pass);
        callback(ok ? null : Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }), ok ? { user: auth.username } : undefined);
      },
      onData(stream, session, callback) {
        void self!.receive(stream, session).then(() => callback(), (e: Error) => callback(e));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    self = new FakeSmtpServer(server, (server.server.address() as AddressInfo).port, opts);
    return self;
  }

  /** `smtp://[user:pass@]127.0.0.1:<port>`, as SMTP_URL. */
  get url(): string {
    const auth = this.opts.auth ? `${encodeURIComponent(this.opts.auth.user)}:${encodeURIComponent(this.opts.auth.pass)}@` : '';
    return `smtp://${auth}127.0.0.1:${this.port}`;
  }

  /** One copy per Message-ID of what `address` received. */
  mailbox(address: string): ReceivedMail[] {
    return this.boxes.get(address.toLowerCase()) ?? [];
  }

  /** How many accepted transfers were addressed to `address`, repeats included. */
  deliveriesTo(address: string): number {
    return this.deliveries.filter((m) => m.to.includes(address.toLowerCase())).length;
  }

  /** Refuses the next `n` messages with `code` (451 by default: try again later), then applies the standing policy. */
  refuseNext(n: number, code = 451): void {
    this.refuseCount = n;
    this.refuseCode = code;
  }

  /** Refuses every message until `done(mail)` returns true for one; that one and all later ones are accepted. */
  refuseUntil(done: (mail: ReceivedMail) => boolean, code = 451): void {
    this.policy = { kind: 'until', done, code };
  }

  /** Refuses every message with `code` until `accept()`. */
  refuseAll(code: number): void {
    this.policy = { kind: 'all', code };
  }

  /** Accepts everything again (also cancels pending `refuseNext`). */
  accept(): void {
    this.policy = { kind: 'accept' };
    this.refuseCount = 0;
  }

  /** Forgets everything received so far (mailboxes, deliveries, refusals); the refusal settings stay. */
  clear(): void {
    this.deliveries.length = 0;
    this.refusals.length = 0;
    this.boxes.clear();
  }

  /** Stops listening and drops open connections. */
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const mail = toMail(Buffer.concat(chunks).toString('utf8'), session);
    const code = this.refusalFor(mail);
    if (code !== null) {
      this.refusals.push({ code, mail });
      throw Object.assign(new Error(code >= 500 ? 'Requested action not taken: mailbox unavailable' : 'Requested action aborted: try again later'), { responseCode: code });
    }
    this.deliveries.push(mail);
    for (const rcpt of mail.to) {
      const box = this.boxes.get(rcpt) ?? [];
      // Like a mail store, a message whose Message-ID is already in the box is dropped.
      if (!mail.messageId || !box.some((m) => m.messageId === mail.messageId)) box.push(mail);
      this.boxes.set(rcpt, box);
    }
  }

  private refusalFor(mail: ReceivedMail): number | null {
    if (this.refuseCount > 0) {
      this.refuseCount--;
      return this.refuseCode;
    }
    const p = this.policy;
    if (p.kind === 'all') return p.code;
    if (p.kind === 'until') {
      if (!p.done(mail)) return p.code;
      this.policy = { kind: 'accept' };
    }
    return null;
  }
}

function toMail(raw: string, session: SMTPServerSession): ReceivedMail {
  const parsed = parseMime(raw);
  const h = parsed.headers;
  return {
    from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
    subject: h.get('subject') ?? '',
    messageId: h.get('message-id') ?? null,
    inReplyTo: h.get('in-reply-to') ?? null,
    references: h.get('references') ?? null,
    headers: h,
    text: parsed.text,
    html: parsed.html,
    raw,
  };
}
