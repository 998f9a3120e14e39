// Runs work over many targets with a bound on how many run at once: each target runs to its own end, success or
// failure, and none starts after Ctrl-C; the results say which succeeded, which failed and why, which never started.
import { availableParallelism } from 'node:os';
import type { Target } from './targets.js';

export type TargetResult<T> =
  | { target: Target; status: 'succeeded'; value: T; durationMs: number }
  | { target: Target; status: 'failed'; error: unknown; durationMs: number }
  | { target: Target; status: 'not started' };

/**
 * Targets worked on at once: most of a target's time is AWS calls, registry round trips and waits, which overlap
 * well beyond the CPU count; the engine's share (bundling, hashing, building) is bounded apart by `engineSlots`.
 */
export const defaultConcurrency = (): number => Math.max(8, 4 * availableParallelism());

/** How many images are prepared or built at once: one per CPU, since that work is the machine's own. */
export const engineSlots = (): number => Math.max(1, availableParallelism());

export async function runTargets<T>(
  targets: Target[],
  options: { concurrency: number; signal: AbortSignal },
  work: (target: Target) => Promise<T>,
): Promise<Array<TargetResult<T>>> {
  const results: Array<TargetResult<T>> = targets.map((target) => ({ target, status: 'not started' }));
  let next = 0;
  const worker = async () => {
    while (next < targets.length && !options.signal.aborted) {
      const index = next++;
      const target = targets[index]!;
      const started = performance.now();
      try {
        const value = await work(target);
        results[index] = { target, status: 'succeeded', value, durationMs: performance.now() - started };
      } catch (error) {
        results[index] = { target, status: 'failed', error, durationMs: performance.now() - started };
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency, targets.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

/** A shared piece of work (one build per image, one push per image × repository × region) started once per key. */
export function onceEach<T>(): (key: string, start: () => Promise<T>) => Promise<T> {
  const started = new Map<string, Promise<T>>();
  return (key, start) => {
    let promise = started.get(key);
    if (!promise) {
      promise = start();
      started.set(key, promise);
    }
    return promise;
  };
}

/** A bound on how many calls of `work` run at once; the rest wait in order. */
export function limiter(slots: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (work) => {
    if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
