import type { EngineDeps } from '../engine-deps.js';
import { newId } from '../ids.js';
import type { OutboxMessage } from '../model/outbox-message.js';
import type { InboxEntry } from '../model/inbox-entry.js';
import { channelsOf, outboxRow } from './fan-out-alert.js';
import { withAuditHead } from './audit-head-fact.js';
import { inboxEntry } from './inbox-fan-out.js';
import { reminderMessage } from './reminder-message.js';
import { approvalRecorded } from './approval-message.js';
import { approvalProgressOf } from '../lifecycle/approval-progress.js';

/** Hours before a deadline at which pending requests are re-announced (configurable). */
export const DEFAULT_REMINDER_HOURS = [24, 1];

/**
 * Re-notifies, on every channel, the admins who have not acted on a pending request (everyone but its
 * requester and, on a k-of-n request, those who already approved) at each reminder point before its
 * deadline — once each: rows carry a dedupe key, so any number of replicas and ticks write one. A
 * request opened after a reminder point skips it; when several points have passed unseen (the
 * scheduler was down), only the most urgent is sent.
 */
export async function queueReminders(deps: EngineDeps, hoursBefore: number[] = DEFAULT_REMINDER_HOURS): Promise<number> {
  if (hoursBefore.length === 0) return 0;
  const now = deps.clock.now();
  const hourMs = 3_600_000;
  return deps.uow.run(async (store) => {
    const rows: OutboxMessage[] = [];
    const inbox: InboxEntry[] = [];
    const enabled = await store.deploymentChannels.list();
    for (const request of await store.requests.pendingBefore(new Date(now.getTime() + Math.max(...hoursBefore) * hourMs))) {
      const due = hoursBefore.filter((h) => {
        const point = request.deadline.getTime() - h * hourMs;
        return now.getTime() >= point && request.openedAt.getTime() < point && now.getTime() < request.deadline.getTime();
      });
      if (due.length === 0) continue;
      const hours = Math.min(...due);
      // The original alert's text, from whichever channel the requester received it on.
      let original = null;
      for (const channel of enabled) original ??= (await store.outbox.forRequest(request.id, { adminId: request.requestedBy }, channel))[0]?.message ?? null;
      // The console inbox holds every alert, so a deployment without external channels still reminds.
      original ??= (await store.inbox.firstForRequest(request.id, request.requestedBy))?.message ?? null;
      if (!original) continue;
      // On a k-of-n request, an admin whose approval is recorded has acted too, and the reminder shows the count as it is now.
      const approved = new Set((await store.requestApprovals.list(request.id)).map((a) => a.adminId));
      const admins = await store.admins.list(request.tenantId);
      const progress = await approvalProgressOf(store, request, admins);
      if (progress) original = approvalRecorded(original, progress, original.title);
      const message = await withAuditHead(store, reminderMessage(request, original, hours));
      const eventId = newId(deps.random);
      for (const admin of admins) {
        // The requester has acted; an admin added after the request opened cannot decide it.
        if (admin.id === request.requestedBy || approved.has(admin.id) || admin.createdAt.getTime() > request.openedAt.getTime()) continue;
        for (const channel of channelsOf(admin, enabled)) {
          rows.push(outboxRow(deps.random, now, eventId, admin, channel, message, { dedupeKey: `reminder:${request.id}:${hours}h:${admin.id}:${channel}` }));
        }
        inbox.push(inboxEntry(deps.random, now, eventId, admin, message, `reminder:${request.id}:${hours}h:${admin.id}:inbox`));
      }
    }
    await store.inbox.insert(inbox);
    // The count is of outbox rows (external deliveries); the inbox copies are written alongside.
    return rows.length > 0 ? store.outbox.insert(rows) : 0;
  });
}
