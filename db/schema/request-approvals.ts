import { index, pgTable, text, timestamp, uniqueIndex } from './columns.js';
import { requests } from './requests.js';

/** Approvals recorded on a k-of-n request before it reaches its count; one per admin (a second click counts once). */
export const requestApprovals = pgTable(
  'request_approvals',
  {
    requestId: text('request_id').notNull().references(() => requests.id),
    adminId: text('admin_id').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    transport: text('transport', { enum: ['cli', 'slack', 'teams', 'web', 'system'] }).notNull(),
  },
  (t) => [uniqueIndex('request_approvals_request_admin').on(t.requestId, t.adminId), index('request_approvals_admin').on(t.adminId)],
);
