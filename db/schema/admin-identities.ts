import { pgTable, text, uniqueIndex } from './columns.js';
import { admins } from './admins.js';

/** Linked chat identities: Slack team/user, Teams tenant/AAD object id. */
export const adminIdentities = pgTable(
  'admin_identities',
  {
    adminId: text('admin_id').notNull().references(() => admins.id, { onDelete: 'cascade' }),
    platform: text('platform', { enum: ['slack', 'teams'] }).notNull(),
    workspace: text('workspace').notNull(),
    userId: text('user_id').notNull(),
  },
  (t) => [uniqueIndex('admin_identities_unique').on(t.platform, t.workspace, t.userId)],
);
