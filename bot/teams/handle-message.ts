import { MessageActivityInput, stripMentionsText, type ActivityParams, type IMessageActivity } from '@microsoft/teams.api';
import type { IActivityContext } from '@microsoft/teams.apps';
import { executeChatCommand } from '../commands/execute-chat-command.js';
import { parseChatCommand } from '../commands/parse-chat-command.js';
import { identifySender } from './identify-sender.js';
import { renderReplyCard } from './reply-card.js';
import { sendPrivately } from './send-privately.js';
import type { TeamsBotDeps } from './teams-bot-deps.js';

/** The command words: the bot's own @mention removed (team channels), markup and non-breaking spaces dropped. */
export function commandText(activity: IMessageActivity): string {
  const text = stripMentionsText(activity, { accountId: activity.recipient.id }) ?? activity.text ?? '';
  return text.replace(/<[^>]*>/g, ' ').replace(/&nbsp;|\u00a0/g, ' ').trim();
}

/** True the first time this activity arrives; a redelivery of the same message is dropped. */
async function firstDelivery(deps: TeamsBotDeps, activity: IMessageActivity): Promise<boolean> {
  if (!activity.id) return true;
  const { engine } = deps;
  return engine.deps.uow.run((store) => store.handledDeliveries.claim(`teams:${activity.conversation.id}:${activity.id}`, engine.deps.clock.now()));
}

/** Sends to the personal chat; from a team channel, privately (falling back to a reply where the user wrote). */
async function replyPrivately(deps: TeamsBotDeps, ctx: IActivityContext<IMessageActivity>, message: ActivityParams): Promise<void> {
  if (ctx.activity.conversation.conversationType === 'personal') {
    await ctx.send(message);
    return;
  }
  try {
    await sendPrivately(deps, ctx.activity, message);
  } catch (e) {
    deps.logger.warn('teams: could not open a personal chat; replying in the conversation', { error: e instanceof Error ? e.message : String(e) });
    await ctx.send(message);
  }
}

/** A message to the bot: the §5 grammar, run for the linked admin, answered with a card. */
export async function handleMessage(deps: TeamsBotDeps, ctx: IActivityContext<IMessageActivity>): Promise<void> {
  const { activity } = ctx;
  if (!(await firstDelivery(deps, activity))) return;
  const sender = await identifySender(deps, activity);
  if ('refusal' in sender) {
    await replyPrivately(deps, ctx, new MessageActivityInput(sender.refusal));
    return;
  }
  const command = parseChatCommand(commandText(activity));
  const reply = await executeChatCommand(deps.engine, { admin: sender.admin, transport: 'teams' }, command, { publicUrl: deps.publicUrl(), prefix: '' });
  const message = new MessageActivityInput(undefined, { summary: reply.title.slice(0, 200) }).addCard('adaptive', renderReplyCard(reply));
  if (!reply.link || activity.conversation.conversationType === 'personal') {
    await ctx.send(message);
    return;
  }
  // A one-time link is for the admin alone: it goes to the personal chat, never to a team channel.
  await sendPrivately(deps, activity, message);
  await ctx.send(new MessageActivityInput(`${sender.admin.name}, I sent the link to our private chat: one-time links never go to a shared conversation.`));
}
