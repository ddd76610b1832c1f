/** Structured log fields; callers must never put secrets here. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** Where core writes operational logs. */
export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}
