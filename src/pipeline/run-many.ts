// Runs work over many targets with a bound on how many run at once: each target runs to its own end, success or
// failure, and none starts after Ctrl-C; the results say which succeeded, which failed and why, which never started.
import { availableParallelism } from 'node:os';
import type { Target } from './targets.js';

export type TargetResult<T> =
  | { target: Target; status: 'succeeded'; value: T; durationMs: number }
  | { target: Target; status: 'failed'; error: unknown; durationMs: number }
  | { target: Target; status: 'not started' };

/** Enough to overlap pushes and AWS waits on a small machine, bounded by its CPUs on a large one. */
export const defaultConcurrency = (): number => Math.max(2, availableParallelism());

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
