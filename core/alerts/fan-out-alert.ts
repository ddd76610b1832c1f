import { newId } from '../ids.js';
import type { Admin } from '../model/admin.js';
import type { AlertMessage, Channel, OutboxDelivery, OutboxMessage } from '../model/outbox-message.js';
import type { Random } from '../ports/random.js';
import type { Store } from '../ports/store.js';
import { withAuditHead } from './audit-head-fact.js';
import { inboxAlert, inboxDecision, inboxEntry } from './inbox-fan-out.js';

/** What fan-out needs of the engine's ports. */
export interface AlertDeps {
  random: Random;
}

/** The enabled channels an admin can be reached on: e-mail (every admin has an address), plus each linked chat platform. */
export function channelsOf(admin: Admin, enabled: readonly Channel[]): Channel[] {
  const linked = (platform: 'slack' | 'teams') => admin.identities.some((i) => i.platform === platform);
  // The webhook channel carries machine events to offline hooks, never alerts for people.
  return enabled.filter((c) => c === 'email' || (c !== 'webhook' && linked(c)));
}

/** A new outbox row (kind deliver) for an admin. */
export function outboxRow(random: Random, at: Date, eventId: string, admin: Admin, channel: Channel, message: AlertMessage, extra: Partial<OutboxMessage> = {}): OutboxMessage {
  return { id: newId(random), tenantId: admin.tenantId, eventId, adminId: admin.id, address: null, channel, message, kind: 'deliver', updateOf: null, dedupeKey: null, requestId: message.requestId, createdAt: at, ...extra };
}

/** The tenant's Slack alert channel, when set and Slack is delivered on. */
async function slackAlertChannel(store: Store, enabled: readonly Channel[], tenantId: string): Promise<string | null> {
  if (!enabled.includes('slack')) return null;
  return (await store.tenants.byId(tenantId))?.settings.slackAlertChannel ?? null;
}

function channelRow(random: Random, at: Date, eventId: string, tenantId: string, address: string, message: AlertMessage, extra: Partial<OutboxMessage> = {}): OutboxMessage {
  return { id: newId(random), tenantId, eventId, adminId: null, address, channel: 'slack', message, kind: 'deliver', updateOf: null, dedupeKey: null, requestId: message.requestId, createdAt: at, ...extra };
}

/** Writes one outbox row per (admin, channel) for every admin of the tenant, plus the tenant's Slack alert channel, and an inbox entry per admin, in the caller's transaction. */
export async function fanOutAlert(store: Store, deps: AlertDeps, at: Date, tenantId: string, alert: AlertMessage): Promise<string> {
  const message = await withAuditHead(store, alert);
  const eventId = newId(deps.random);
  // Stored state, never this process's environment: a CLI without SMTP_URL still alerts where the server delivers.
  const enabled = await store.deploymentChannels.list();
  const admins = await store.admins.list(tenantId);
  const rows = admins.flatMap((admin) => channelsOf(admin, enabled).map((channel) => outboxRow(deps.random, at, eventId, admin, channel, message)));
  const address = await slackAlertChannel(store, enabled, tenantId);
  if (address) rows.push(channelRow(deps.random, at, eventId, tenantId, address, message));
  await store.outbox.insert(rows);
  await inboxAlert(store, deps.random, at, eventId, admins, message);
  return eventId;
}

/**
 * Announces a decision: on chat channels every earlier copy with buttons is updated in place; e-mail,
 * which cannot be edited, gets one follow-up in the thread of the first alert. Admins with no earlier
 * copy on a channel get the decision as a new message. With `keepOpen` (a k-of-n approval short of its
 * count) the copies are updated the same way but the request stays open: the console inbox keeps its
 * entries with buttons and gets the update as a new entry without them.
 */
export async function fanOutDecision(store: Store, deps: AlertDeps, at: Date, tenantId: string, decision: AlertMessage, opts: { keepOpen?: boolean } = {}): Promise<string> {
  const message = await withAuditHead(store, decision);
  const eventId = newId(deps.random);
  const rows: OutboxMessage[] = [];
  // Every earlier copy with buttons, read once and grouped by destination (not one query per admin and channel).
  const earlier = new Map<string, OutboxDelivery[]>();
  for (const r of message.requestId ? await store.outbox.forRequestAll(message.requestId) : []) {
    if (r.message.actions.length === 0) continue;
    const key = `${r.adminId ?? `@${r.address}`}\u0000${r.channel}`;
    earlier.set(key, [...(earlier.get(key) ?? []), r]);
  }
  const enabled = await store.deploymentChannels.list();
  const admins = await store.admins.list(tenantId);
  for (const admin of admins) {
    for (const channel of channelsOf(admin, enabled)) {
      const copies = earlier.get(`${admin.id}\u0000${channel}`) ?? [];
      const targets = channel === 'email' ? copies.slice(0, 1) : copies;
      if (targets.length === 0) rows.push(outboxRow(deps.random, at, eventId, admin, channel, message));
      for (const t of targets) rows.push(outboxRow(deps.random, at, eventId, admin, channel, message, { kind: 'update', updateOf: t.id }));
    }
  }
  const address = await slackAlertChannel(store, enabled, tenantId);
  if (address) {
    const copies = earlier.get(`@${address}\u0000slack`) ?? [];
    if (copies.length === 0) rows.push(channelRow(deps.random, at, eventId, tenantId, address, message));
    for (const t of copies) rows.push(channelRow(deps.random, at, eventId, tenantId, address, message, { kind: 'update', updateOf: t.id }));
  }
  await store.outbox.insert(rows);
  if (opts.keepOpen) await store.inbox.insert(admins.map((a) => inboxEntry(deps.random, at, eventId, a, { ...message, actions: [] })));
  else await inboxDecision(store, deps.random, at, eventId, admins, message);
  return eventId;
}
