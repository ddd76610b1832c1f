/** Answers whether a cron schedule fires in a given minute, in a timezone (node-cron implements it). */
export interface DigestSchedule {
  firesAt(cron: string, timezone: string, minute: Date): boolean;
  /** Whether the expression is a valid cron schedule. */
  isValid(cron: string): boolean;
}
