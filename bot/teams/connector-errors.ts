import type { DeliveryResult } from '../../core/ports/alert-channel.js';

/** Throttled (429), a stale-ETag/precondition race (412), or the connector's gateway timing out (502/504, 500/503). */
const RETRYABLE_STATUS = new Set([408, 412, 429, 500, 502, 503, 504]);

/** What an HTTP error from the SDK's axios client looks like (duck-typed: axios is the SDK's dependency, not ours). */
interface HttpErrorLike {
  message?: string;
  code?: string;
  response?: { status?: number; headers?: Record<string, unknown>; data?: unknown };
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: unknown, now: Date): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/** The connector's error code and message from its JSON body (`{"error":{"code","message"}}`), shortened. */
function connectorError(data: unknown): string {
  const e = (data as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (!e) return '';
  return `: ${String(e.code ?? '')}${e.message ? ` ${String(e.message).slice(0, 160)}` : ''}`;
}

/**
 * Maps a failed Bot Connector call to the outbox's delivery result: throttling, precondition failures,
 * gateway errors and network faults are retried (honouring Retry-After); 401 too, since fixing the
 * credentials must let queued alerts go out; a 403/404 (bot removed, conversation gone) is final.
 */
export function classifyConnectorError(err: unknown, now: Date): DeliveryResult {
  const e = (err ?? {}) as HttpErrorLike;
  const status = e.response?.status;
  if (typeof status === 'number') {
    const retryable = RETRYABLE_STATUS.has(status) || status === 401;
    const after = retryAfterMs(e.response?.headers?.['retry-after'], now);
    return { ok: false, retryable, retryAfterMs: retryable ? after : null, error: `Teams connector HTTP ${status}${connectorError(e.response?.data)}` };
  }
  const reason = e.code ? `${e.code}` : (e.message ?? String(err)).slice(0, 200);
  return { ok: false, retryable: true, retryAfterMs: null, error: `Teams connector unreachable (${reason})` };
}
