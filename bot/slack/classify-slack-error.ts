import type { DeliveryResult } from '../../core/ports/alert-channel.js';

// Slack's side is having trouble: the next attempt may work.
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'rate_limited', 'team_added_to_org']);
// Our token or its scopes: fixing the configuration must let queued alerts go out, so keep retrying.
const CONFIGURATION = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'missing_scope', 'no_permission', 'team_access_not_granted']);

/** The WebClient's coded errors, by their documented `code` (no import of the SDK, which loads slowly). */
type CodedSlackError = { code?: unknown; data?: { error?: unknown }; retryAfter?: unknown; statusCode?: unknown };

/** The Web API error code of a failed call (`channel_not_found`, `msg_too_long`, …), or null. */
export function slackErrorCode(e: unknown): string | null {
  const err = e as CodedSlackError;
  return err?.code === 'slack_webapi_platform_error' && typeof err.data?.error === 'string' ? err.data.error : null;
}

/** Maps a WebClient failure to a delivery result: 429 carries Retry-After; refusals that cannot change are final. */
export function classifySlackError(method: string, e: unknown): DeliveryResult {
  const err = e as CodedSlackError;
  if (err?.code === 'slack_webapi_rate_limited_error' && typeof err.retryAfter === 'number') {
    return { ok: false, retryable: true, retryAfterMs: Math.max(0, err.retryAfter) * 1000, error: `slack ${method}: rate limited (Retry-After ${err.retryAfter} s)` };
  }
  const code = slackErrorCode(e);
  if (code !== null) {
    return { ok: false, retryable: TRANSIENT.has(code) || CONFIGURATION.has(code), retryAfterMs: null, error: `slack ${method}: ${code.slice(0, 100)}` };
  }
  if (err?.code === 'slack_webapi_http_error' && typeof err.statusCode === 'number') {
    return { ok: false, retryable: err.statusCode >= 500 || err.statusCode === 408, retryAfterMs: null, error: `slack ${method}: HTTP ${err.statusCode}` };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { ok: false, retryable: true, retryAfterMs: null, error: `slack ${method}: ${message.split('\n', 1)[0]!.slice(0, 200)}` };
}
