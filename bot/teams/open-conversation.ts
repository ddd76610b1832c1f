import type { Clock } from '../../core/ports/clock.js';
import type { DualkeyTeamsApp } from './teams-app.js';
import type { TeamsAddress, TeamsConversationRepo } from './teams-conversation-repo.js';

/**
 * The bot's personal conversation with a user: the stored one, or a new one created through the
 * connector (POST /v3/conversations) for a user only seen in a team channel, then remembered.
 */
export async function personalConversation(app: DualkeyTeamsApp, conversations: TeamsConversationRepo, clock: Clock, address: TeamsAddress): Promise<string> {
  if (address.conversationId) return address.conversationId;
  const created = await app.connector(address.serviceUrl).conversations.create({
    bot: { id: address.botId, role: 'bot' },
    members: [{ id: address.userId, role: 'user' }],
    tenantId: address.teamsTenantId,
    isGroup: false,
    channelData: { tenant: { id: address.teamsTenantId } },
  });
  await conversations.remember({ ...address, conversationId: created.id }, clock.now());
  return created.id;
}
