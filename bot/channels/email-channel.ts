import nodemailer, { type NodemailerError, type SendMailOptions, type Transporter } from 'nodemailer';
import type { AlertChannel, DeliveryResult, OutgoingAlert } from '../../core/ports/alert-channel.js';
import { renderEmailHtml, renderEmailText } from './render-email.js';

/** E-mail goes to admins only; a tenant-wide address belongs to another channel. */
const NO_RECIPIENT: DeliveryResult = { ok: false, retryable: false, retryAfterMs: null, error: 'e-mail alerts need an admin recipient' };

/** How to reach the SMTP server: an `smtp(s)://` URL, or a ready nodemailer transport (tests, pools). */
export type EmailChannelOptions = { from: string; publicUrl?: string | undefined } & ({ smtpUrl: string } | { transport: Transporter });

// Connection-level failures: the server may be back on the next attempt.
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);
// Replies that are temporary whatever their class says (RFC 5321 §4.2.5 transient codes).
const TRANSIENT_REPLIES = new Set([421, 450, 451, 452]);
// Our own credentials refused: fixing the configuration must let queued alerts go out, so keep retrying.
const AUTH_REPLIES = new Set([530, 534, 535]);

/** The e-mail channel over nodemailer: one message per alert, follow-ups threaded with In-Reply-To. */
export class EmailChannel implements AlertChannel {
  readonly name = 'email' as const;
  private readonly transport: Transporter;
  private readonly from: string;
  private readonly publicUrl: string | undefined;
  private readonly secret: string | null;

  constructor(opts: EmailChannelOptions) {
    this.from = opts.from;
    this.publicUrl = opts.publicUrl;
    if ('transport' in opts) {
      this.transport = opts.transport;
      this.secret = null;
    } else {
      // Bounded waits: a hung server must fail the attempt well within the outbox lease.
      // Pooled: a connection per mail costs the SMTP greeting each time (about 100 ms on many servers).
      this.transport = nodemailer.createTransport({ url: opts.smtpUrl, pool: true, maxConnections: 5, maxMessages: 100, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 });
      this.secret = smtpPassword(opts.smtpUrl);
    }
  }

  async deliver(alert: OutgoingAlert): Promise<DeliveryResult> {
    if (!alert.recipient) return NO_RECIPIENT;
    const subject = `[dualkey] ${alert.message.title}`;
    const ctx = { recipientEmail: alert.recipient.email, publicUrl: this.publicUrl };
    // The Message-ID comes from the outbox row id, so a resend after a crash is the same message and mail stores drop it.
    const messageId = messageIdFor(alert.idempotencyKey);
    return this.send({ subject, messageId, text: renderEmailText(alert.message, ctx), html: renderEmailHtml(alert.message, ctx) }, alert, { messageId, subject });
  }

  async update(alert: OutgoingAlert, previous: Record<string, string>): Promise<DeliveryResult> {
    if (!alert.recipient) return NO_RECIPIENT;
    // E-mail cannot be edited: a short follow-up in the thread of the original says how it was resolved.
    const original = previous.subject ?? `[dualkey] ${alert.message.title}`;
    const subject = original.startsWith('Re: ') ? original : `Re: ${original}`;
    const ctx = { recipientEmail: alert.recipient.email, publicUrl: this.publicUrl, followUp: true };
    const messageId = messageIdFor(alert.idempotencyKey);
    const thread = previous.messageId ? { inReplyTo: previous.messageId, references: previous.messageId } : {};
    return this.send({ subject, messageId, ...thread, text: renderEmailText(alert.message, ctx), html: renderEmailHtml(alert.message, ctx) }, alert, { messageId, subject });
  }

  /** Closes pooled connections, if any. */
  close(): void {
    this.transport.close();
  }

  private async send(mail: SendMailOptions, alert: OutgoingAlert, platformRef: Record<string, string>): Promise<DeliveryResult> {
    try {
      await this.transport.sendMail({ ...mail, from: this.from, to: { name: alert.recipient!.name, address: alert.recipient!.email } });
      return { ok: true, platformRef };
    } catch (e) {
      return classify(e as NodemailerError, this.secret);
    }
  }
}

/** `<{key}@dualkey>`: the same on every attempt of one outbox row. */
export function messageIdFor(idempotencyKey: string): string {
  return `<${idempotencyKey}@dualkey>`;
}

/** Maps a nodemailer error to a delivery result whose text names the SMTP reply, never the message. */
function classify(err: NodemailerError, secret: string | null): DeliveryResult {
  const reply = typeof err.responseCode === 'number' ? err.responseCode : null;
  if (reply !== null) {
    const retryable = reply < 500 || TRANSIENT_REPLIES.has(reply) || AUTH_REPLIES.has(reply);
    // The reply text without its code, which the message already names.
    const response = firstLine(err.response ?? '').replace(/^\d{3}[ -]/, '');
    return { ok: false, retryable, retryAfterMs: null, error: redact(`SMTP ${reply}${err.command ? ` after ${err.command}` : ''}: ${response}`, secret) };
  }
  const code = String(err.code ?? 'EUNKNOWN');
  // An address nodemailer refuses before talking to the server (code EENVELOPE, no reply) will never be accepted.
  const retryable = code !== 'EENVELOPE' && code !== 'EMESSAGE';
  const kind = TRANSIENT_CODES.has(code) || TRANSIENT_CODES.has(String(err.originalCode ?? '')) ? 'SMTP connection failed' : 'SMTP send failed';
  return { ok: false, retryable, retryAfterMs: null, error: redact(`${kind} (${code}): ${firstLine(err.message ?? '')}`, secret) };
}

function firstLine(text: string): string {
  return (text.split(/\r?\n/, 1)[0] ?? '').slice(0, 200);
}

function smtpPassword(url: string): string | null {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? null : password;
  } catch {
    return null;
  }
}

// The SMTP password must not reach outbox rows or logs, even if a server or library echoes it.
function redact(text: string, secret: string | null): string {
  return secret ? text.split(secret).join('***') : text;
}
