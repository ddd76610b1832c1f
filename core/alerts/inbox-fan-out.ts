import { newId } from '../ids.js';
import type { Admin } from '../model/admin.js';
import type { InboxEntry } from '../model/inbox-entry.js';
import type { AlertMessage } from '../model/outbox-message.js';
import type { Random } from '../ports/random.js';
import type { Store } from '../ports/store.js';

/** A new unread inbox entry for an admin. */
export function inboxEntry(random: Random, at: Date, eventId: string, admin: Admin, message: AlertMessage, dedupeKey: string | null = null): InboxEntry {
  return {
    id: newId(random), tenantId: admin.tenantId, adminId: admin.id, eventId, requestId: message.requestId, message,
    actionable: message.actions.length > 0, resolution: null, resolvedAt: null, dedupeKey, createdAt: at, readAt: null,
  };
}

/**
 * The console inbox is the channel that is always on: every alert lands there for every recipient, in the
 * caller's transaction, whatever external channels the deployment delivers on.
 */
export async function inboxAlert(store: Store, random: Random, at: Date, eventId: string, admins: readonly Admin[], message: AlertMessage): Promise<void> {
  await store.inbox.insert(admins.map((a) => inboxEntry(random, at, eventId, a, message)));
}

/**
 * A decision updates the inbox like the chat copies: every entry with buttons about the request is resolved
 * in place (buttons gone, the decision shown, unread again); admins who had no such entry get the decision
 * as a new one.
 */
export async function inboxDecision(store: Store, random: Random, at: Date, eventId: string, admins: readonly Admin[], message: AlertMessage): Promise<void> {
  const resolved = new Set(message.requestId ? await store.inbox.resolveRequest(message.requestId, message.status ?? message.title, at) : []);
  await store.inbox.insert(admins.filter((a) => !resolved.has(a.id)).map((a) => inboxEntry(random, at, eventId, a, message)));
}
