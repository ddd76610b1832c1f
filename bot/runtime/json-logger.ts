import type { LogFields, Logger } from '../../core/ports/logger.js';

/** Logs one JSON object per line to a stream (stderr by default); fields must never hold secrets. */
export function createJsonLogger(write: (line: string) => void = (l) => process.stderr.write(l), now: () => Date = () => new Date()): Logger {
  const log = (level: string) => (msg: string, fields: LogFields = {}) => write(`${JSON.stringify({ t: now().toISOString(), level, msg, ...fields })}\n`);
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that drops everything (CLI runs, where output is for the user). */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
