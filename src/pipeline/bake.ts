// The bake of a canary: poll the new version's error and invocation counts until the time is up or the errors
// pass the threshold. Knows nothing of AWS; the caller passes how to read the counts.
import { setTimeout as sleep } from 'node:timers/promises';

export interface Counts {
  errors: number;
  invocations: number;
}

export interface BakeVerdict extends Counts {
  passed: boolean;
  /** Errors per invocation seen (an error counts as an invocation even when Invocations lags behind). */
  errorRate: number;
  /** GetMetricData calls made. */
  polls: number;
}

export interface BakeOptions {
  bakeMs: number;
  maxErrorRate: number;
  signal: AbortSignal;
  onProgress: (progress: Counts & { leftMs: number }) => void;
  /** For tests of the loop alone; the clock otherwise. */
  now?: () => number;
}

/** A tenth of the bake, between 1 s and 60 s: Lambda's metrics are per minute, and each poll is a paid API call. */
export const pollPeriodMs = (bakeMs: number): number => Math.min(60_000, Math.max(1000, Math.round(bakeMs / 10)));

export const errorRateOf = ({ errors, invocations }: Counts): number =>
  errors === 0 ? 0 : errors / Math.max(errors, invocations);

/** Whether these counts fail the canary: any error over a threshold of 0, else a rate above it. */
export const exceeds = (counts: Counts, maxErrorRate: number): boolean =>
  counts.errors > 0 && errorRateOf(counts) > maxErrorRate;

/** Waits a poll period, reads, and decides; the first failing read ends the bake at once. */
export async function bake(read: () => Promise<Counts>, options: BakeOptions): Promise<BakeVerdict> {
  const now = options.now ?? Date.now;
  const ends = now() + options.bakeMs;
  const period = pollPeriodMs(options.bakeMs);
  let polls = 0;
  for (;;) {
    await sleep(Math.max(0, Math.min(period, ends - now())), undefined, { signal: options.signal });
    const counts = await read();
    polls += 1;
    const verdict = { ...counts, errorRate: errorRateOf(counts), polls };
    if (exceeds(counts, options.maxErrorRate)) return { ...verdict, passed: false };
    const leftMs = Math.max(0, ends - now());
    options.onProgress({ ...counts, leftMs });
    if (leftMs === 0) return { ...verdict, passed: true };
  }
}
