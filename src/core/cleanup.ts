// An undo stack: work that starts something pushes the step that undoes it; the steps run once, newest first.

export interface Cleanup {
  /** Adds an undo step; it runs before every step pushed earlier. */
  push(step: () => Promise<unknown> | unknown): void;
  /**
   * Runs every step pushed so far, newest first, each even when an earlier one failed, and resolves with their
   * errors. Calls while it runs share that run (Ctrl-C and the end of a command wait for the same removals);
   * steps pushed later run on the next call.
   */
  run(): Promise<unknown[]>;
}

export function createCleanup(): Cleanup {
  const steps: Array<() => Promise<unknown> | unknown> = [];
  let running: Promise<unknown[]> | undefined;
  const drain = async () => {
    const errors: unknown[] = [];
    for (const step of steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    return errors;
  };
  return {
    push: (step) => void steps.push(step),
    run: () =>
      (running ??= drain().finally(() => {
        running = undefined;
      })),
  };
}
