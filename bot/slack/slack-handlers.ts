import type { Engine } from '../../core/engine.js';
import type { Logger } from '../../core/ports/logger.js';
import { executeChatCommand } from '../commands/execute-chat-command.js';
import { type ChatCommand, type InvalidCommand, parseChatCommand } from '../commands/parse-chat-command.js';
import { cliEquivalent, renderReplyBlocks, type SlackReply } from './render-reply-blocks.js';
import { resolveSlackActor, type SlackUser, unknownUserReply } from './resolve-slack-actor.js';

/** What the Slack handlers need: the engine, a logger, and where the one-time pages are. */
export interface SlackContext {
  engine: Engine;
  logger: Logger;
  publicUrl: () => string;
}

/** The decisions a button can carry (its action_id). */
export type ButtonDecision = 'approve' | 'rollback' | 'reject';

const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;

const internalError = (): SlackReply =>
  renderReplyBlocks({ kind: 'refusal', code: 'internal_error', title: 'Something went wrong on dualkey\'s side; nothing was changed by this reply. The operator can find details in the server log.', lines: [], fields: [] });

async function run(ctx: SlackContext, user: SlackUser, command: ChatCommand | InvalidCommand, attempted: string): Promise<SlackReply> {
  try {
    const actor = await resolveSlackActor(ctx.engine, user, attempted);
    if (!actor) return renderReplyBlocks(unknownUserReply(user));
    const reply = await executeChatCommand(ctx.engine, actor, command, { publicUrl: ctx.publicUrl(), prefix: '/dualkey' });
    return renderReplyBlocks(reply, cliEquivalent(command));
  } catch (e) {
    ctx.logger.error('slack: command failed', { attempted: attempted.slice(0, 100), error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    return internalError();
  }
}

/** `/dualkey <text>` from a Slack user: the shared command layer, rendered as a private reply. */
export function runSlashCommand(ctx: SlackContext, user: SlackUser, text: string): Promise<SlackReply> {
  const command = parseChatCommand(text);
  // Audit and logs name the command, never the typed text: someone may paste a secret into it.
  return run(ctx, user, command, `/dualkey ${command.name}`);
}

/** An alert button: authorised exactly like `/dualkey <decision> <request>`. */
export function runButton(ctx: SlackContext, user: SlackUser, decision: ButtonDecision, requestId: string): Promise<SlackReply> {
  if (!REQUEST_ID.test(requestId)) return run(ctx, user, { name: 'invalid', message: 'that button carries no valid request id' }, `button ${decision}`);
  return run(ctx, user, { name: decision, request: requestId }, `button ${decision} ${requestId}`);
}
