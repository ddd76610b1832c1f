import { newId } from '../ids.js';
import type { Admin } from '../model/admin.js';
import type { AlertMessage, Channel, OutboxMessage } from '../model/outbox-message.js';
import type { Random } from '../ports/random.js';
import type { Store } from '../ports/store.js';

/** The channels an admin can be reached on: e-mail always, plus each linked chat platform. */
export function channelsOf(admin: Admin): Channel[] {
  const channels: Channel[] = ['email'];
  if (admin.identities.some((i) => i.platform === 'slack')) channels.push('slack');
  if (admin.identities.some((i) => i.platform === 'teams')) channels.push('teams');
  return channels;
}

/** Writes one outbox row per (admin, channel) for every admin of the tenant, in the caller's transaction. */
export async function fanOutAlert(store: Store, random: Random, at: Date, tenantId: string, message: AlertMessage): Promise<string> {
  const eventId = newId(random);
  const admins = await store.admins.list(tenantId);
  const rows: OutboxMessage[] = admins.flatMap((admin) =>
    channelsOf(admin).map((channel) => ({ id: newId(random), tenantId, eventId, adminId: admin.id, channel, message, createdAt: at })),
  );
  if (rows.length > 0) await store.outbox.insert(rows);
  return eventId;
}
