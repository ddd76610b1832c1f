import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { SlackReply } from './render-reply-blocks.js';
import { type ButtonDecision, runButton, runSlashCommand, type SlackContext } from './slack-handlers.js';
import { WorkQueue, type YieldOptions } from './work-queue.js';

type Respond = (message: SlackReply) => Promise<unknown>;

async function reply(ctx: SlackContext, respond: Respond | undefined, message: SlackReply): Promise<void> {
  if (!respond) return void ctx.logger.warn('slack: no response_url to answer on');
  await respond(message).catch((e: unknown) => ctx.logger.warn('slack: response_url post failed', { error: e instanceof Error ? e.message : String(e) }));
}

/**
 * The Slack side of dualkey: `/dualkey`, the alert buttons and lifecycle events. Every listener acks
 * at once and does its work afterwards, answering privately through `response_url`; Events API
 * redeliveries already handled (by any replica) are dropped. Returns the queue of work after acks.
 */
export function registerSlackListeners(app: App, ctx: SlackContext, yielding: YieldOptions | null = null): WorkQueue {
  const { engine, logger } = ctx;
  // Replies may take a while (Slack keeps response_url for 30 minutes); acks may not (3 s).
  const work = new WorkQueue(4, yielding);

  app.use(async ({ body, context, next }) => {
    const eventId = (body as { event_id?: unknown }).event_id;
    if (typeof eventId === 'string') {
      const first = await engine.deps.uow.run((store) => store.handledDeliveries.claim(`slack:event:${eventId.slice(0, 100)}`, engine.deps.clock.now()));
      if (!first) return void logger.info('slack: dropped a redelivery already handled', { eventId, retryNum: context.retryNum ?? null });
    }
    await next();
  });

  app.command('/dualkey', async ({ command, ack, respond }) => {
    await ack();
    await work.run(async () => reply(ctx, respond, await runSlashCommand(ctx, { teamId: command.team_id, userId: command.user_id }, command.text ?? '')));
  });

  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: /^(approve|rollback|reject)$/ }, async ({ ack, body, action, respond }) => {
    await ack();
    const user = { teamId: body.user.team_id ?? body.team?.id ?? '', userId: body.user.id };
    await work.run(async () => reply(ctx, respond, await runButton(ctx, user, action.action_id as ButtonDecision, action.value ?? '')));
  });

  // The one-time page button is a link; Slack still reports the click, which only needs an ack.
  app.action({ type: 'block_actions', action_id: 'open_page' }, async ({ ack }) => ack());

  app.event('app_uninstalled', async ({ body }) => logger.warn('slack: dualkey was uninstalled from a workspace; its admins get no Slack alerts until it is reinstalled', { workspace: String(body.team_id ?? '') }));
  app.event('tokens_revoked', async ({ body }) => logger.warn('slack: tokens were revoked; set a new SLACK_BOT_TOKEN', { workspace: String(body.team_id ?? '') }));

  app.error(async (error) => logger.error('slack: listener failed', { error: `${error.name}: ${error.message}` }));
  return work;
}
