// The one error Ctrl-C (or SIGTERM) ends a local run with, once everything invoke-local started is removed.

import { ExitCode, UserError } from '../core/errors.js';

export function interrupted(): UserError {
  return new UserError('interrupted; every container invoke-local started has been removed', {
    exitCode: ExitCode.interrupted,
  });
}
