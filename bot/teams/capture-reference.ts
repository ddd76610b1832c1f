import type { Activity } from '@microsoft/teams.api';
import type { TeamsAddress } from './teams-conversation-repo.js';
import type { TeamsBotDeps } from './teams-bot-deps.js';

/** The Teams (Entra ID) tenant an activity comes from. */
export function teamsTenantOf(activity: Activity): string | null {
  return activity.conversation?.tenantId ?? activity.channelData?.tenant?.id ?? null;
}

/** The sender's address for proactive messages; the conversation counts only when it is the personal chat. */
export function addressFrom(activity: Activity): TeamsAddress | null {
  const teamsTenantId = teamsTenantOf(activity);
  const aadObjectId = activity.from?.aadObjectId;
  if (!teamsTenantId || !aadObjectId || !activity.serviceUrl || !activity.from.id || !activity.recipient?.id) return null;
  const personal = activity.conversation?.conversationType === 'personal';
  return { teamsTenantId, aadObjectId, userId: activity.from.id, botId: activity.recipient.id, serviceUrl: activity.serviceUrl, conversationId: personal ? activity.conversation.id : null };
}

/**
 * Keeps the conversation reference of whoever talks to the bot (install, conversation update, message,
 * card click), so alerts can reach them later; an uninstall from the personal scope forgets it.
 */
export async function captureReference(deps: TeamsBotDeps, activity: Activity): Promise<void> {
  const address = addressFrom(activity);
  if (!address) return;
  if (activity.type === 'installationUpdate' && activity.action.startsWith('remove') && address.conversationId) {
    await deps.conversations.forget(address.teamsTenantId, address.aadObjectId);
    return;
  }
  await deps.conversations.remember(address, deps.engine.deps.clock.now());
}
