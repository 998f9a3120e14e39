// Swaps the environments under a steady stream of invocations (invoke-local --watch): calls that arrive during a
// swap wait for the new code, calls already running finish on the old code before it is stopped.

import type { EnvironmentInvokeOptions, EnvironmentResult, Invoker } from '../execution/invoker.js';
import type { EnvironmentSet } from '../execution/environment-set.js';

export class ReloadingPool implements Invoker {
  private current?: EnvironmentSet;
  private swapping = false;
  private stopped = false;
  private stopping?: Promise<void>;
  private waiters: Array<() => void> = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  /** Waits until a set of environments is up and no swap is under way, then invokes in it. */
  async invoke(payload: Buffer | string, options: EnvironmentInvokeOptions = {}): Promise<EnvironmentResult> {
    // Re-checked after every wake-up: a swap may have begun between the wake-up and this turn.
    while (this.swapping || !this.current) {
      if (this.stopped) throw new Error('invoke-local is stopping');
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.stopped) throw new Error('invoke-local is stopping');
    const run = this.current.pool.invoke(payload, options);
    const tracked: Promise<unknown> = run.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return run;
  }

  /**
   * Lets running invocations finish, stops (and removes) the current environments, runs `between` (e.g. rewriting
   * the task root the old process was using), then starts the next set. When anything fails, no set is current
   * and callers keep waiting for a later replace that succeeds.
   */
  async replace(start: () => Promise<EnvironmentSet>, between?: () => Promise<void>): Promise<EnvironmentSet> {
    if (this.swapping) throw new Error('replace() is already running');
    this.swapping = true;
    try {
      await Promise.allSettled([...this.inFlight]);
      const old = this.current;
      this.current = undefined;
      await old?.stop();
      await between?.();
      if (this.stopped) throw new Error('invoke-local is stopping');
      const next = await start();
      if (this.stopped) {
        await next.stop();
        throw new Error('invoke-local is stopping');
      }
      this.current = next;
      return next;
    } finally {
      this.swapping = false;
      this.wake();
    }
  }

  /** Stops the current environments; waiting callers fail. Every call waits for the same removal. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      this.stopped = true;
      this.wake();
      const old = this.current;
      this.current = undefined;
      await old?.stop();
    })());
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
