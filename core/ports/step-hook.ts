/**
 * Called at every boundary between journaled steps, and between counting an approval and deciding.
 * Production passes a no-op; fault-injection tests throw here to simulate a process dying at that
 * point, or run another admin's command there to make a race deterministic.
 */
export interface StepHook {
  reached(step: string): void | Promise<void>;
}

/** The production hook: steps pass without interruption. */
export const noStepHook: StepHook = { reached: () => undefined };
