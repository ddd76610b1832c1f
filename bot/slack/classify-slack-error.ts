import { webApi } from '@slack/bolt';
import type { DeliveryResult } from '../../core/ports/alert-channel.js';

// Slack's side is having trouble: the next attempt may work.
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'rate_limited', 'team_added_to_org']);
// Our token or its scopes: fixing the configuration must let queued alerts go out, so keep retrying.
const CONFIGURATION = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'missing_scope', 'no_permission', 'team_access_not_granted']);

/** The Web API error code of a failed call (`channel_not_found`, `msg_too_long`, …), or null. */
export function slackErrorCode(e: unknown): string | null {
  return e instanceof webApi.WebAPIPlatformError ? String(e.data.error) : null;
}

/** Maps a WebClient failure to a delivery result: 429 carries Retry-After; refusals that cannot change are final. */
export function classifySlackError(method: string, e: unknown): DeliveryResult {
  if (e instanceof webApi.WebAPIRateLimitedError) {
    return { ok: false, retryable: true, retryAfterMs: Math.max(0, e.retryAfter) * 1000, error: `slack ${method}: rate limited (Retry-After ${e.retryAfter} s)` };
  }
  const code = slackErrorCode(e);
  if (code !== null) {
    return { ok: false, retryable: TRANSIENT.has(code) || CONFIGURATION.has(code), retryAfterMs: null, error: `slack ${method}: ${code.slice(0, 100)}` };
  }
  if (e instanceof webApi.WebAPIHTTPError) {
    const retryable = e.statusCode >= 500 || e.statusCode === 408;
    return { ok: false, retryable, retryAfterMs: null, error: `slack ${method}: HTTP ${e.statusCode}` };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { ok: false, retryable: true, retryAfterMs: null, error: `slack ${method}: ${message.split('\n', 1)[0]!.slice(0, 200)}` };
}
