import { asc, eq } from 'drizzle-orm';
import type { OutboxMessage } from '../../core/model/outbox-message.js';
import type { OutboxRepo } from '../../core/ports/store.js';
import type { Drizzle } from '../database.js';
import { outbox } from '../schema/index.js';

type Row = typeof outbox.$inferSelect;

/** The transactional outbox over drizzle: messages are written pending, due at once. */
export function outboxRepo(tx: Drizzle): OutboxRepo {
  return {
    async insert(messages) {
      if (messages.length === 0) return;
      await tx.insert(outbox).values(
        messages.map((m) => ({ ...m, state: 'pending' as const, attempts: 0, nextAttemptAt: m.createdAt, platformRef: null })),
      );
    },
    async listForEvent(eventId) {
      const rows = await tx.select().from(outbox).where(eq(outbox.eventId, eventId)).orderBy(asc(outbox.createdAt), asc(outbox.id));
      return rows.map(toMessage);
    },
  };
}

function toMessage(row: Row): OutboxMessage {
  return {
    id: row.id,
    tenantId: row.tenantId,
    eventId: row.eventId,
    adminId: row.adminId,
    channel: row.channel,
    message: row.message,
    createdAt: row.createdAt,
  };
}
