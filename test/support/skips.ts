// How a test group that cannot run here says so: skipped, with its group and reason carried to the skip summary.
import type { SuiteOptions } from 'vitest';

export interface SkipNote {
  group: string;
  reason: string;
}

declare module 'vitest' {
  interface TaskMeta {
    skipNote?: SkipNote;
  }
}

/**
 * Options for a `describe` that runs only when `reason` is undefined; otherwise every test in it is skipped
 * and the summary reporter (test/support/skip-summary.ts) names `group` and `reason` in its last line.
 */
export function runsWhen(group: string, reason: string | undefined): SuiteOptions {
  return reason === undefined ? {} : { skip: true, meta: { skipNote: { group, reason } } };
}
