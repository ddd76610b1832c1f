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
  private readonly actions = new Map<string, () => Promise<unknown>>();

  /** Crash the next time `step` is reached. */
  arm(step: string): void {
    this.armed = step;
  }

  /** Run `action` (another admin's command, say) the next time `step` is reached, and go on after it: a race made deterministic. */
  runAt(step: string, action: () => Promise<unknown>): void {
    this.actions.set(step, action);
  }

  async reached(step: string): Promise<void> {
    this.seen.push(step);
    const action = this.actions.get(step);
    if (action) {
      this.actions.delete(step);
      await action();
    }
    if (this.armed === step) {
      this.armed = null;
      throw new SimulatedCrash(step);
    }
  }
}
