import type { Admin } from '../model/admin.js';
import type { AlertMessage, Channel } from '../model/outbox-message.js';

/** One message to send: who to, what, and the key that makes a retry of the same row recognisable. */
export interface OutgoingAlert {
  /** The outbox row id: the same on every attempt, so the receiving side can drop a repeat. */
  idempotencyKey: string;
  /** The admin it goes to; null for a tenant-wide destination given by `address`. */
  recipient: Admin | null;
  /** A tenant-wide destination on this channel (a Slack channel id). */
  address: string | null;
  message: AlertMessage;
  /** True when an earlier attempt may have gone out before its worker died (the channel may check before resending). */
  uncertain: boolean;
}

/** What a channel reports; refusals the channel expects carry whether to retry and when. */
export type DeliveryResult =
  | { ok: true; platformRef: Record<string, string> }
  | { ok: false; retryable: boolean; retryAfterMs: number | null; error: string };

/** A way to reach admins (e-mail, Slack, Teams). Adapters implement it outside core. */
export interface AlertChannel {
  readonly name: Channel;
  /** Sends a new message. */
  deliver(alert: OutgoingAlert): Promise<DeliveryResult>;
  /** Updates a message sent earlier (e-mail, which cannot be edited, sends a follow-up in the same thread). */
  update(alert: OutgoingAlert, previous: Record<string, string>): Promise<DeliveryResult>;
  /** Releases pooled connections (optional). */
  close?(): void | Promise<void>;
}
