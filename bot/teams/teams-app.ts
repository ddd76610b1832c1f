import { Client as ConnectorClient, PUBLIC, type CloudEnvironment } from '@microsoft/teams.api';
import { App, type AppOptions, type IPlugin } from '@microsoft/teams.apps';
import type { Logger } from '../../core/ports/logger.js';
import type { Config } from '../runtime/config.js';
import { RouteAdapter } from './route-adapter.js';
import { checkTeamsConfig, hasTeamsCredentials } from './teams-config.js';
import { teamsLogger } from './teams-logger.js';

/** What tests may replace: the cloud's OpenID/JWKS endpoints (a local fake) and the outbound token source. */
export interface TeamsOverrides {
  cloud?: CloudEnvironment;
  /** Returns the bot's access token for outbound calls instead of asking Entra ID (MSAL) with the client secret. */
  token?: NonNullable<AppOptions<IPlugin>['token']>;
}

/** A connector call that hangs must fail well within the outbox lease. */
const CONNECTOR_TIMEOUT_MS = 30_000;

/** The SDK App, with the one thing dualkey needs that App keeps protected: a connector client for any service URL. */
export class DualkeyTeamsApp extends App {
  /** A Bot Connector client for this service URL, authenticated as the bot (no token without credentials). */
  connector(serviceUrl: string): ConnectorClient {
    return new ConnectorClient(serviceUrl.replace(/\/+$/, ''), this.client.clone({ token: () => this.getBotToken() }));
  }
}

/**
 * Builds the SDK App. Every option is explicit so the SDK's own environment fallbacks (CLIENT_ID,
 * CLIENT_SECRET, TENANT_ID, SERVICE_URL, CLOUD, DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS) never apply.
 */
export function createTeamsApp(config: Config, logger: Logger, overrides: TeamsOverrides = {}): { app: DualkeyTeamsApp; adapter: RouteAdapter } {
  checkTeamsConfig(config);
  const adapter = new RouteAdapter();
  const credentials = hasTeamsCredentials(config);
  const sdkLogger = teamsLogger(logger);
  const app = new DualkeyTeamsApp({
    clientId: config.TEAMS_CLIENT_ID ?? '',
    clientSecret: overrides.token ? '' : (config.TEAMS_CLIENT_SECRET ?? ''),
    tenantId: config.TEAMS_TENANT_ID ?? '',
    ...(overrides.token ? { token: overrides.token } : {}),
    cloud: overrides.cloud ?? PUBLIC,
    serviceUrl: 'https://smba.trafficmanager.net/teams',
    // With credentials the JWT is always checked: the development flag only opens a bot that has none.
    dangerouslyAllowUnauthenticatedRequests: config.TEAMS_ALLOW_UNAUTHENTICATED && !credentials,
    httpServerAdapter: adapter,
    messagingEndpoint: '/api/messages',
    logger: sdkLogger,
    client: { timeout: CONNECTOR_TIMEOUT_MS, logger: sdkLogger.child('http') },
  });
  return { app, adapter };
}
