import type { AppOptions, IPlugin } from '@microsoft/teams.apps';
import type { Logger } from '../../core/ports/logger.js';

/** The SDK's logger interface (from @microsoft/teams.common, reached through the apps package we depend on). */
export type SdkLogger = NonNullable<AppOptions<IPlugin>['logger']>;
type LogLevel = Parameters<SdkLogger['log']>[0];

/** One log argument as short text: errors by name and message only (an HTTP error object carries request headers). */
function describe(value: unknown): string {
  if (value instanceof Error) {
    const status = (value as { response?: { status?: number } }).response?.status;
    return `${value.name}: ${value.message}${status ? ` (HTTP ${status})` : ''}`;
  }
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Never let a bearer token reach the log, whatever the SDK passes. */
function redact(text: string): string {
  return text.replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer ***').slice(0, 1000);
}

/** The Teams SDK's ILogger over dualkey's structured logger (debug and trace are dropped). */
export function teamsLogger(logger: Logger, name = 'teams'): SdkLogger {
  const write = (level: LogLevel, args: unknown[]): void => {
    const [first, ...rest] = args;
    const msg = redact(`${name}: ${describe(first)}`);
    const detail = rest.length ? redact(rest.map(describe).join(' ')) : undefined;
    const fields = detail ? { detail } : {};
    if (level === 'error') logger.error(msg, fields);
    else if (level === 'warn') logger.warn(msg, fields);
    else if (level === 'info') logger.info(msg, fields);
  };
  return {
    debug: () => undefined,
    trace: () => undefined,
    info: (...args: unknown[]) => write('info', args),
    warn: (...args: unknown[]) => write('warn', args),
    error: (...args: unknown[]) => write('error', args),
    log: (level: LogLevel, ...args: unknown[]) => write(level, args),
    child: (child: string) => teamsLogger(logger, `${name}/${child}`),
  };
}
