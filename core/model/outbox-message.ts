/** A channel an alert can travel on. */
export type Channel = 'email' | 'slack' | 'teams' | 'webhook';

/** An action button on an alert. */
export interface MessageAction {
  id: 'approve' | 'rollback' | 'reject';
  label: string;
  style: 'primary' | 'danger';
  requestId: string;
  /** Text of the confirmation dialog for dangerous actions. */
  confirm: string | null;
}

/** The neutral message model every channel renders. */
export interface AlertMessage {
  event: string;
  title: string;
  facts: Array<[label: string, value: string]>;
  actions: MessageAction[];
  status: string | null;
  requestId: string | null;
  instanceName: string | null;
  /** The machine-readable event a `webhook` row posts (offline hooks); absent on alerts for people. */
  body?: Record<string, string | null>;
}

/** One alert for one admin on one channel. */
export interface OutboxMessage {
  id: string;
  tenantId: string;
  eventId: string;
  /** The admin it goes to, or null for a tenant-wide destination. */
  adminId: string | null;
  /** A tenant-wide destination on the channel (a Slack channel id), when adminId is null. */
  address: string | null;
  channel: Channel;
  message: AlertMessage;
  /** `deliver` a new message, or `update` the earlier one in `updateOf` (same admin and channel). */
  kind: 'deliver' | 'update';
  updateOf: string | null;
  /** Set on reminders and digests: a second write with the same key is ignored (one per replica fleet). */
  dedupeKey: string | null;
  requestId: string | null;
  createdAt: Date;
}

/** Delivery state of an outbox row. */
/** `skipped`: settled without sending, because it became pointless (a reminder for a request decided meanwhile). */
export type DeliveryState = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

/** An outbox row with its delivery bookkeeping. */
export interface OutboxDelivery extends OutboxMessage {
  state: DeliveryState;
  /** Attempts started so far; the claim that started attempt N owns the row until its lease ends. */
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  lastError: string | null;
  sentAt: Date | null;
  /** Where the channel put the message (Slack channel + ts, Teams activity, e-mail Message-ID), for later updates. */
  platformRef: Record<string, string> | null;
  /** Set by a claim: the row was taken over from a worker whose lease ran out, so it may already have been sent. */
  uncertain?: boolean;
}
