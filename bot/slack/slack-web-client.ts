import { webApi } from '@slack/bolt';
import type { Logger } from '../../core/ports/logger.js';
import { boltLogger } from './bolt-logger.js';

/** The WebClient type, from the @slack/web-api that Bolt brings. */
export type SlackWebClient = InstanceType<typeof webApi.WebClient>;

/** Posts to a response_url (Bolt's `respond`) give up after this long; Web API calls have the client's own timeout. */
const RESPONSE_TIMEOUT_MS = 15_000;

/** fetch with a deadline, so a hung response_url cannot hold a reply slot for ever. */
const boundedFetch: webApi.FetchFunction = (url, init) => fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(RESPONSE_TIMEOUT_MS) } as RequestInit) as ReturnType<webApi.FetchFunction>;

/**
 * Options of every Slack WebClient dualkey makes: base URL from SLACK_API_URL, no retries of its own
 * and 429 surfaced at once, so the outbox decides when to retry (honouring Retry-After).
 */
export function slackClientOptions(apiUrl: string | undefined, logger: Logger): webApi.WebClientOptions {
  return {
    ...(apiUrl ? { slackApiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 30_000,
    fetch: boundedFetch,
    logger: boltLogger(logger),
  };
}

/** A bot-token WebClient with dualkey's options. */
export function createSlackWebClient(token: string, apiUrl: string | undefined, logger: Logger): SlackWebClient {
  return new webApi.WebClient(token, slackClientOptions(apiUrl, logger));
}
