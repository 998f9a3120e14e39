// Turns any failure into what the user sees and the exit code: one or two lines for expected errors, a stack only with --verbose.
import { ExitCode, isUserError } from '../core/errors.js';
import type { Output } from '../core/output.js';

export function reportError(
  error: unknown,
  out: Pick<Output, 'json' | 'verbose' | 'stdout' | 'stderr'>,
  interrupted: boolean,
): number {
  const write = (text: string) => out.stderr.write(`${text}\n`);
  // Ctrl-C wins: a build or push the signal cut short fails with its own words ("aborted"), but the user asked to stop.
  if (interrupted && !(isUserError(error) && error.exitCode === ExitCode.interrupted)) {
    if (out.json)
      out.stdout.write(
        `${JSON.stringify({ ok: false, error: { message: 'interrupted', exitCode: ExitCode.interrupted } }, null, 2)}\n`,
      );
    write('interrupted');
    if (out.verbose) write(`cause: ${formatCause(error)}`);
    return ExitCode.interrupted;
  }
  if (isUserError(error)) {
    if (out.json && !error.resultPrinted) {
      out.stdout.write(
        `${JSON.stringify({ ok: false, error: { message: error.message, hint: error.hint, exitCode: error.exitCode, ...error.details } }, null, 2)}\n`,
      );
    }
    write(`error: ${error.message}`);
    if (error.hint) write(`hint: ${error.hint}`);
    if (out.verbose && error.cause) write(`cause: ${formatCause(error.cause)}`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (out.json)
    out.stdout.write(`${JSON.stringify({ ok: false, error: { message, exitCode: ExitCode.unexpected } }, null, 2)}\n`);
  write(`error: unexpected failure: ${message}`);
  if (out.verbose) write(error instanceof Error && error.stack ? error.stack : String(error));
  else write('hint: this is a bug in tslambda; rerun with --verbose to see the stack trace and report it');
  return ExitCode.unexpected;
}

function formatCause(cause: unknown): string {
  if (cause instanceof Error) return cause.stack ?? cause.message;
  return String(cause);
}
