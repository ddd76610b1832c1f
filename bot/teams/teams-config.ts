import { ConfigError, type Config } from '../runtime/config.js';

/** True when the bot has credentials: then every inbound request must carry a valid Bot Framework JWT. */
export function hasTeamsCredentials(config: Config): boolean {
  return Boolean(config.TEAMS_CLIENT_ID);
}

/** True when alerts go to Teams: with credentials, or (local development) with TEAMS_ALLOW_UNAUTHENTICATED. */
export function teamsEnabled(config: Config): boolean {
  return hasTeamsCredentials(config) || config.TEAMS_ALLOW_UNAUTHENTICATED;
}

/** Refuses a half-configured bot: client id, secret and tenant id go together (single-tenant registration). */
export function checkTeamsConfig(config: Config): void {
  const set = { TEAMS_CLIENT_ID: config.TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET: config.TEAMS_CLIENT_SECRET, TEAMS_TENANT_ID: config.TEAMS_TENANT_ID };
  const missing = Object.entries(set).filter(([, v]) => !v).map(([k]) => k);
  if (missing.length > 0 && missing.length < 3) {
    throw new ConfigError(
      `Invalid configuration:\n  ${missing.join(', ')} must be set too: the Teams bot needs its Azure bot registration's client id, client secret and tenant id together (or none of them).`,
    );
  }
}
