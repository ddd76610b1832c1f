import { pgTable, text, timestamp } from './columns.js';

/** Inbound deliveries (Slack event ids, Teams activity ids) already handled, so a platform retry decides nothing twice. */
export const handledDeliveries = pgTable('handled_deliveries', {
  id: text('id').primaryKey(),
  receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
});
