import { channelsOf, outboxRow } from '../alerts/fan-out-alert.js';
import { inboxEntry } from '../alerts/inbox-fan-out.js';
import type { EngineDeps } from '../engine-deps.js';
import { newId } from '../ids.js';
import type { OutboxMessage } from '../model/outbox-message.js';
import type { DigestSchedule } from '../ports/digest-schedule.js';
import { buildDigest } from './build-digest.js';

/** How many past minutes each tick re-examines, so a late or skipped tick still finds its digest minute. */
export const DIGEST_CATCH_UP_MINUTES = 5;

/**
 * Queues each tenant's digest for every admin and channel when its schedule fired within the last few
 * minutes (tenant timezone). One row per admin, channel and scheduled minute: the dedupe key makes
 * every other tick and replica a no-op.
 */
export async function queueDigests(deps: EngineDeps, schedule: DigestSchedule): Promise<number> {
  const now = deps.clock.now();
  const minute = Math.floor(now.getTime() / 60_000) * 60_000;
  const tenants = await deps.uow.run((store) => store.tenants.list());
  let queued = 0;
  for (const tenant of tenants) {
    const fired = Array.from({ length: DIGEST_CATCH_UP_MINUTES }, (_, i) => new Date(minute - i * 60_000)).find((m) =>
      schedule.firesAt(tenant.settings.digestCron, tenant.settings.timezone, m),
    );
    if (!fired) continue;
    const period = fired.toISOString();
    const { message } = await buildDigest(deps, tenant.id);
    queued += await deps.uow.run(async (store) => {
      const eventId = newId(deps.random);
      const admins = await store.admins.list(tenant.id);
      const enabled = await store.deploymentChannels.list();
      const rows: OutboxMessage[] = admins.flatMap((admin) =>
        channelsOf(admin, enabled).map((channel) => outboxRow(deps.random, now, eventId, admin, channel, message, { dedupeKey: `digest:${tenant.id}:${period}:${admin.id}:${channel}` })),
      );
      // The count is of outbox rows (external deliveries); the inbox copies are written alongside.
      await store.inbox.insert(admins.map((admin) => inboxEntry(deps.random, now, eventId, admin, message, `digest:${tenant.id}:${period}:${admin.id}:inbox`)));
      return store.outbox.insert(rows);
    });
  }
  return queued;
}
