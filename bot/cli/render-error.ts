import { isDomainError } from '../../core/errors.js';
import { ConfigError } from '../runtime/config.js';
import { UsageError } from './usage-error.js';

/** How the CLI reports a failure: exit status, JSON body and human text. The one place CLI errors are mapped. */
export function renderCliError(e: unknown, usage: string | null): { exitCode: number; json: { error: { code: string; message: string; details?: unknown } }; text: string } {
  if (isDomainError(e)) {
    const details = Object.keys(e.details).length > 0 ? e.details : undefined;
    const link = typeof e.details.link === 'string' ? `\n${e.details.link}` : '';
    return { exitCode: 1, json: { error: { code: e.code, message: e.message, ...(details ? { details } : {}) } }, text: `error: ${e.message} [${e.code}]${link}` };
  }
  if (e instanceof UsageError) {
    const message = usage ? `${e.message}\nusage: ${usage}` : e.message;
    return { exitCode: 2, json: { error: { code: 'usage', message } }, text: `error: ${message}` };
  }
  if (e instanceof ConfigError) {
    return { exitCode: 2, json: { error: { code: 'config_invalid', message: e.message } }, text: `error: ${e.message}` };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return { exitCode: 3, json: { error: { code: 'internal_error', message: `${err.name}: ${err.message}` } }, text: `internal error: ${err.name}: ${err.message}` };
}
