import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../core/ports/logger.js';

function text(parts: unknown[]): string {
  return parts.map((p) => (p instanceof Error ? `${p.name}: ${p.message}` : typeof p === 'string' ? p : JSON.stringify(p))).join(' ').slice(0, 500);
}

/** Bolt's and the WebClient's logger on dualkey's JSON logger; debug output (request bodies) is dropped. */
export function boltLogger(logger: Logger): BoltLogger {
  return {
    debug: () => undefined,
    info: (...m: unknown[]) => logger.info(`slack: ${text(m)}`),
    warn: (...m: unknown[]) => logger.warn(`slack: ${text(m)}`),
    error: (...m: unknown[]) => logger.error(`slack: ${text(m)}`),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}
