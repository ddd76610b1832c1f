import type { Clock } from '../../core/ports/clock.js';

/** The production clock. */
export const systemClock: Clock = { now: () => new Date() };
