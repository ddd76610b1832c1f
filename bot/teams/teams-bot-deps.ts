import type { Engine } from '../../core/engine.js';
import type { Logger } from '../../core/ports/logger.js';
import type { DualkeyTeamsApp } from './teams-app.js';
import type { TeamsConversationRepo } from './teams-conversation-repo.js';

/** What the inbound handlers use. */
export interface TeamsBotDeps {
  engine: Engine;
  app: DualkeyTeamsApp;
  conversations: TeamsConversationRepo;
  logger: Logger;
  /** Where one-time page links point (PUBLIC_URL, or the server's own URL in development). */
  publicUrl: () => string;
}
