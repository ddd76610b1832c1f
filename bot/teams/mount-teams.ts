import { MessageActivityInput } from '@microsoft/teams.api';
import type { Engine } from '../../core/engine.js';
import type { AlertChannel } from '../../core/ports/alert-channel.js';
import type { Logger } from '../../core/ports/logger.js';
import type { Database } from '../../db/database.js';
import type { Config } from '../runtime/config.js';
import type { Route } from '../web/route.js';
import { captureReference } from './capture-reference.js';
import { handleCardAction } from './handle-card-action.js';
import { handleMessage } from './handle-message.js';
import { createTeamsApp, type DualkeyTeamsApp, type TeamsOverrides } from './teams-app.js';
import type { TeamsBotDeps } from './teams-bot-deps.js';
import { TeamsChannel } from './teams-channel.js';
import { hasTeamsCredentials } from './teams-config.js';
import { TeamsConversationRepo } from './teams-conversation-repo.js';

/** What the server needs to run the Teams bot. */
export interface TeamsMountDeps {
  engine: Engine;
  database: Database;
  logger: Logger;
  publicUrl: () => string;
  /** The configured Teams alert channel, if any: it is attached to this bot's app and conversations. */
  channel?: AlertChannel | undefined;
}

const WELCOME = 'dualkey is installed. I will send you every key change and lock request here, with Approve / Roll back buttons. Type "help" for the commands, "whoami" to check your link.';

/** Says at start-up how /api/messages is protected; the development flag is announced loudly. */
function announce(config: Config, logger: Logger): void {
  if (hasTeamsCredentials(config)) {
    logger.info('teams: /api/messages validates Bot Framework JWTs', { clientId: config.TEAMS_CLIENT_ID, tenantId: config.TEAMS_TENANT_ID });
    if (config.TEAMS_ALLOW_UNAUTHENTICATED) logger.warn('teams: TEAMS_ALLOW_UNAUTHENTICATED is ignored because Teams credentials are configured: every request must still carry a valid JWT');
  } else if (config.TEAMS_ALLOW_UNAUTHENTICATED) {
    logger.warn('!!! TEAMS_ALLOW_UNAUTHENTICATED=true: /api/messages ACCEPTS UNAUTHENTICATED REQUESTS — anyone who can reach this server can act as any linked Teams user. Local development only; refused with NODE_ENV=production. !!!');
  } else {
    logger.info('teams: no TEAMS_CLIENT_ID / TEAMS_CLIENT_SECRET / TEAMS_TENANT_ID: /api/messages answers 401 to every request');
  }
}

/** Builds the Teams bot on the SDK (handlers, conversation capture), attaches the Teams channel, and returns its routes. */
export async function mountTeams(config: Config, deps: TeamsMountDeps, overrides: TeamsOverrides = {}): Promise<{ routes: Route[]; app: DualkeyTeamsApp }> {
  const { app, adapter } = createTeamsApp(config, deps.logger, overrides);
  const conversations = new TeamsConversationRepo(deps.database);
  const bot: TeamsBotDeps = { engine: deps.engine, app, conversations, logger: deps.logger, publicUrl: deps.publicUrl };
  app.use(async (ctx) => {
    try {
      await captureReference(bot, ctx.activity);
    } catch (e) {
      deps.logger.warn('teams: could not store the conversation reference', { error: e instanceof Error ? e.message : String(e) });
    }
    return ctx.next();
  });
  app.on('message', (ctx) => handleMessage(bot, ctx));
  app.on('card.action', (ctx) => handleCardAction(bot, ctx));
  app.on('install.add', async (ctx) => {
    if (ctx.activity.conversation.conversationType === 'personal') await ctx.send(new MessageActivityInput(WELCOME));
  });
  await app.initialize();
  if (deps.channel instanceof TeamsChannel) deps.channel.attach({ app, conversations, clock: deps.engine.deps.clock });
  announce(config, deps.logger);
  return { routes: adapter.routes(), app };
}
