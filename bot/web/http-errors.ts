import type { ServerResponse } from 'node:http';
import { isDomainError, type ErrorCode } from '../../core/errors.js';
import type { Logger } from '../../core/ports/logger.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  instance_locked: 423,
  instance_not_found: 404,
  record_not_found: 404,
  token_invalid: 401,
  token_instance_mismatch: 403,
  not_admin: 403,
  record_too_large: 413,
  invalid_input: 400,
  operation_in_progress: 409,
  database_busy: 503,
  // the key store holds the key but refuses it (disabled, access revoked): retry once it is restored
  key_inaccessible: 503,
};

/** Writes a JSON body with no-store caching. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The one place HTTP maps domain refusals to status codes; faults become a 500 without details. */
export function sendError(res: ServerResponse, e: unknown, logger: Logger): void {
  if (isDomainError(e)) {
    const headers: Record<string, string> = e.code === 'token_invalid' ? { 'www-authenticate': 'Bearer' } : {};
    sendJson(res, STATUS[e.code] ?? 400, { error: { code: e.code, message: e.message } }, headers);
    return;
  }
  logger.error('http: internal error', { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  sendJson(res, 500, { error: { code: 'internal_error', message: 'Internal error; the operator can find details in the server log.' } });
}
