// The one shape every invocation target shares: an environment, a pool of them, a pool that reloads.
// The Invoke API server, --serve and the one-shot run call an Invoker and never know which.

import type { InvokeOptions, InvokeResult } from '../api/invocation.js';
import type { ReportFigures } from './report.js';

export interface EnvironmentInvokeOptions extends InvokeOptions {
  /**
   * Wait for the function's output to go quiet before END/REPORT, so that every line it wrote lands inside
   * its frame and its log tail (container output travels a separate, slightly later path than the response).
   * Costs ~10 ms; callers that only need the response (a warm --serve call without Tail) leave it off.
   */
  completeLogs?: boolean;
}

export interface EnvironmentResult extends InvokeResult {
  report: ReportFigures;
  /** The last 4 KB of this invocation's log (init output, START … REPORT). */
  logTail: Buffer;
}

export interface Invoker {
  /** Resolves when the function answered, failed, timed out or exited; rejects only when nothing could run it. */
  invoke(payload: Buffer | string, options?: EnvironmentInvokeOptions): Promise<EnvironmentResult>;
}
