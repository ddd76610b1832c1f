import type { Activity, ActivityParams } from '@microsoft/teams.api';
import { addressFrom } from './capture-reference.js';
import { personalConversation } from './open-conversation.js';
import type { TeamsBotDeps } from './teams-bot-deps.js';

/** Sends a message to the sender's personal chat with the bot (links and refusals never go to a team channel). */
export async function sendPrivately(deps: TeamsBotDeps, activity: Activity, message: ActivityParams): Promise<void> {
  const address = addressFrom(activity);
  if (!address) throw new Error('the activity names no Teams user to write to');
  const stored = await deps.conversations.find(address.teamsTenantId, address.aadObjectId);
  const conversationId = await personalConversation(deps.app, deps.conversations, deps.engine.deps.clock, stored ?? address);
  await deps.app.connector(address.serviceUrl).conversations.createActivity(conversationId, message);
}
