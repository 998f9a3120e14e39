// How invoke-local shows an invocation: the response on stdout (exactly the function's bytes), a failure as one
// line with the README's exit code, and with --json one document per invocation:
//   { ok, requestId, outcome, functionError?, errorType?, response, report }
// A one-shot run prints it as its result; a failed one-shot run puts the same fields (without ok) in the error's
// details; --watch prints one such document per line, and goes on.

import type { Writable } from 'node:stream';
import { ExitCode, UserError } from '../../core/errors.js';
import type { Output } from '../../core/output.js';
import type { EnvironmentInvokeOptions, EnvironmentResult } from '../../local/execution/invoker.js';

/** The exit code of each outcome, as documented in the README's table. */
const outcomeExitCode = {
  success: ExitCode.ok,
  error: ExitCode.functionError,
  timeout: ExitCode.functionTimeout,
  exited: ExitCode.runtimeExited,
} as const;

/** The README's exit code for a result: a function that failed to start is 12, like a runtime that exited. */
export function resultExitCode(result: EnvironmentResult): ExitCode {
  return result.initFailed ? ExitCode.runtimeExited : outcomeExitCode[result.outcome];
}

/** The JSON form of one invocation (the `ok` flag is added where it is a result of its own). */
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

/** Without --json, a streamed response goes to stdout as it arrives; with --json it is collected for the document. */
export function responseSink(out: Output): Pick<EnvironmentInvokeOptions, 'streamTo'> {
  return out.json ? {} : { streamTo: out.stdout as Writable };
}

/** The function's bytes, as Lambda returns them (a streamed response has already gone out). */
export function printResponse(out: Output, result: EnvironmentResult): void {
  if (!out.json && !result.streamed) out.stdout.write(result.payload);
}

/** A one-shot run (`--repeat N`): the last result, or the first failure as the command's error. */
export function renderRun(out: Output, results: EnvironmentResult[]): void {
  const last = results.at(-1)!;
  const failed = results.find((result) => result.outcome !== 'success');
  const summary = results.length > 1 ? { invocations: results.map(describeResult) } : {};
  if (!failed) {
    // Human output is already complete (logs on stderr, the response on stdout); --json adds the summary.
    if (out.json) out.result('', { ok: true, ...describeResult(last), ...summary });
    return;
  }
  throw new UserError(failureMessage(failed), {
    exitCode: resultExitCode(failed),
    hint: failureHint(failed),
    details: { ...describeResult(failed), ...summary },
  });
}

/** One invocation of --watch: one response (or JSON document) per line; a failure is one line and the watch goes on. */
export function renderWatchResult(out: Output, result: EnvironmentResult): void {
  if (out.json)
    out.stdout.write(`${JSON.stringify({ ok: result.outcome === 'success', ...describeResult(result) })}\n`);
  else {
    // The function's bytes, then a newline that separates them from the next run's.
    printResponse(out, result);
    out.stdout.write('\n');
  }
  if (result.outcome !== 'success') out.stderr.write(`✖ ${failureMessage(result)}\n`);
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
      if (result.initFailed)
        return `the function failed to start with ${error.errorType ?? result.errorType}: ${error.errorMessage ?? ''}`.trim();
      return `the function failed with ${error.errorType ?? result.errorType}: ${error.errorMessage ?? ''}`.trim();
  }
}

function failureHint(result: EnvironmentResult): string | undefined {
  if (result.outcome === 'timeout')
    return 'raise "timeout" in lambda.config.json (seconds), or make the handler finish sooner';
  if (result.errorType === 'Runtime.OutOfMemory') return 'raise "memorySize" in lambda.config.json (MB)';
  if (result.errorType === 'Function.ResponseSizeTooLarge')
    return 'Lambda responses are limited to 6 MB; return less, or stream the response';
  return undefined;
}
