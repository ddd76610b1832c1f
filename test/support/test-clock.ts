import type { Clock } from '../../core/ports/clock.js';

/** A clock tests set and advance; rules never see the wall clock. */
export class TestClock implements Clock {
  private t: number;

  constructor(start: Date | string = '2026-11-29T09:00:00.000Z') {
    this.t = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  /** Moves time forward by hours (fractions allowed). */
  advanceHours(hours: number): void {
    this.t += Math.round(hours * 3_600_000);
  }

  /** Moves time forward by milliseconds. */
  advanceMs(ms: number): void {
    this.t += ms;
  }
}
