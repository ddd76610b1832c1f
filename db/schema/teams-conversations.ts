import { pgTable, primaryKey, text, timestamp } from './columns.js';

/**
 * How to reach a Teams user proactively (captured from their install and messages): the Bot Framework
 * ids, the service URL of their region and, once known, the bot's personal conversation with them.
 */
export const teamsConversations = pgTable(
  'teams_conversations',
  {
    teamsTenantId: text('teams_tenant_id').notNull(),
    aadObjectId: text('aad_object_id').notNull(),
    /** The user's Bot Framework id ("29:…"). */
    userId: text('user_id').notNull(),
    /** The bot's id in that tenant ("28:<app id>"). */
    botId: text('bot_id').notNull(),
    serviceUrl: text('service_url').notNull(),
    /** The personal (1:1) conversation; null until the user installs or writes to the bot in a personal chat. */
    conversationId: text('conversation_id'),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamsTenantId, t.aadObjectId] })],
);
