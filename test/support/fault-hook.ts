import type { StepHook } from '../../core/ports/step-hook.js';

/** Thrown at an armed step: the test's stand-in for the process dying there. */
export class SimulatedCrash extends Error {
  constructor(readonly step: string) {
    super(`simulated crash at ${step}`);
    this.name = 'SimulatedCrash';
  }
}

/** A StepHook that records every step reached and "crashes" once at the armed one. */
export class FaultHook implements StepHook {
  readonly seen: string[] = [];
  private armed: string | null = null;

  /** Crash the next time `step` is reached. */
  arm(step: string): void {
    this.armed = step;
  }

  reached(step: string): void {
    this.seen.push(step);
    if (this.armed === step) {
      this.armed = null;
      throw new SimulatedCrash(step);
    }
  }
}
