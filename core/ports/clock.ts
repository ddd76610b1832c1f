/** The only source of time for rules: the system clock in production, a settable one in tests. */
export interface Clock {
  now(): Date;
}
