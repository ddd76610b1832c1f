import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { teamsConversations } from '../../db/schema/teams-conversations.js';

/** Where and how to reach one Teams user proactively. */
export interface TeamsAddress {
  teamsTenantId: string;
  aadObjectId: string;
  userId: string;
  botId: string;
  serviceUrl: string;
  /** The bot's personal conversation with the user, once known. */
  conversationId: string | null;
}

/** Stored Teams conversation references (a bot-side table: core's Store port does not know Teams). */
export class TeamsConversationRepo {
  constructor(private readonly database: Database) {}

  /** Records the latest address; a known personal conversation is kept when this activity came from elsewhere. */
  async remember(address: TeamsAddress, at: Date): Promise<void> {
    await this.database.transaction(async (tx) => {
      await tx
        .insert(teamsConversations)
        .values({ ...address, updatedAt: at })
        .onConflictDoUpdate({
          target: [teamsConversations.teamsTenantId, teamsConversations.aadObjectId],
          set: {
            userId: address.userId,
            botId: address.botId,
            serviceUrl: address.serviceUrl,
            conversationId: sql`coalesce(excluded.conversation_id, ${teamsConversations.conversationId})`,
            updatedAt: at,
          },
        });
    });
  }

  /** The address of a user, or null when they never installed or wrote to the bot. */
  async find(teamsTenantId: string, aadObjectId: string): Promise<TeamsAddress | null> {
    const [row] = await this.database.transaction((tx) => tx.select().from(teamsConversations).where(this.key(teamsTenantId, aadObjectId)));
    if (!row) return null;
    const { updatedAt: _at, ...address } = row;
    return address;
  }

  /** Forgets a user who uninstalled the bot: they are unreachable until they install it again. */
  async forget(teamsTenantId: string, aadObjectId: string): Promise<void> {
    await this.database.transaction(async (tx) => {
      await tx.delete(teamsConversations).where(this.key(teamsTenantId, aadObjectId));
    });
  }

  private key(teamsTenantId: string, aadObjectId: string) {
    return and(eq(teamsConversations.teamsTenantId, teamsTenantId), eq(teamsConversations.aadObjectId, aadObjectId));
  }
}
