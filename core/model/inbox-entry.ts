import type { AlertMessage } from './outbox-message.js';

/** One alert, reminder or digest in one admin's console inbox. */
export interface InboxEntry {
  id: string;
  tenantId: string;
  adminId: string;
  eventId: string;
  requestId: string | null;
  message: AlertMessage;
  /** True while the entry's decision buttons apply; a decision clears it and records the `resolution`. */
  actionable: boolean;
  resolution: string | null;
  resolvedAt: Date | null;
  dedupeKey: string | null;
  createdAt: Date;
  readAt: Date | null;
}
