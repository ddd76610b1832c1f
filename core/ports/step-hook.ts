/**
 * Called at every boundary between journaled steps. Production passes a no-op;
 * fault-injection tests throw here to simulate a process dying at that point.
 */
export interface StepHook {
  reached(step: string): void | Promise<void>;
}

/** The production hook: steps pass without interruption. */
export const noStepHook: StepHook = { reached: () => undefined };
