// What an invocation's result means to the person at the terminal: its exit code, its one-line failure, its JSON form.

import { ExitCode, UserError } from '../core/errors.js';
import type { EnvironmentResult } from './execution/invoker.js';

/** The exit code of each outcome, as documented in the README's table. */
export const outcomeExitCode = {
  success: ExitCode.ok,
  error: ExitCode.functionError,
  timeout: ExitCode.functionTimeout,
  exited: ExitCode.runtimeExited,
} as const;

/** The README's exit code for a result: a function that failed to start is 12, like a runtime that exited. */
export function resultExitCode(result: EnvironmentResult): ExitCode {
  return result.initFailed ? ExitCode.runtimeExited : outcomeExitCode[result.outcome];
}

export function describeResult(result: EnvironmentResult) {
  const text = result.payload.toString('utf8');
  let response: unknown = text;
  try {
    response = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return {
    requestId: result.requestId,
    outcome: result.outcome,
    ...(result.outcome === 'success' ? {} : { functionError: 'Unhandled', errorType: result.errorType }),
    response,
    report: result.report,
  };
}

function parseError(payload: Buffer): { errorType?: string; errorMessage?: string } {
  try {
    return JSON.parse(payload.toString()) as { errorType?: string; errorMessage?: string };
  } catch {
    return {};
  }
}

/** One line naming what went wrong, for a result whose outcome is not success. */
export function failureMessage(result: EnvironmentResult): string {
  const error = parseError(result.payload);
  switch (result.outcome) {
    case 'timeout':
      return `the function timed out: ${error.errorMessage ?? 'Task timed out'}`;
    case 'exited':
      return `the runtime exited during the invocation (${result.errorType}): ${error.errorMessage ?? ''}`.trim();
    default:
      if (result.initFailed) return `the function failed to start with ${error.errorType ?? result.errorType}: ${error.errorMessage ?? ''}`.trim();
      return `the function failed with ${error.errorType ?? result.errorType}: ${error.errorMessage ?? ''}`.trim();
  }
}

export function failureHint(result: EnvironmentResult): string | undefined {
  if (result.outcome === 'timeout') return 'raise "timeout" in lambda.config.json (seconds), or make the handler finish sooner';
  if (result.errorType === 'Runtime.OutOfMemory') return 'raise "memorySize" in lambda.config.json (MB)';
  if (result.errorType === 'Function.ResponseSizeTooLarge') return 'Lambda responses are limited to 6 MB; return less, or stream the response';
  return undefined;
}

export function interrupted(): UserError {
  return new UserError('interrupted; every container invoke-local started has been removed', { exitCode: ExitCode.interrupted });
}
