// Expected failures are typed and carry their exit code; anything else is a bug and exits 1.

/** The exit-code table documented in the README; one value per outcome a script may branch on. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  dockerUnreachable: 3,
  buildFailed: 4,
  pushFailed: 5,
  awsError: 6,
  functionNotFound: 7,
  functionIncompatible: 8,
  updateFailed: 9,
  functionError: 10,
  functionTimeout: 11,
  runtimeExited: 12,
  typecheckFailed: 13,
  smokeFailed: 14,
  rollbackFailed: 15,
  someTargetsFailed: 16,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A failure the user can act on: `message` names the problem, `hint` the fix. Printed as one or two
 * lines, never with a stack (unless --verbose).
 */
export class UserError extends Error {
  readonly exitCode: ExitCode;
  readonly hint?: string;
  /** Extra machine-readable fields for the --json error object. */
  readonly details?: Record<string, unknown>;
  /** The command already printed its result (one JSON object with every target's outcome): no second JSON object. */
  readonly resultPrinted?: boolean;

  constructor(
    message: string,
    options: {
      exitCode?: ExitCode;
      hint?: string;
      cause?: unknown;
      details?: Record<string, unknown>;
      resultPrinted?: boolean;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? ExitCode.usage;
    this.hint = options.hint;
    this.details = options.details;
    this.resultPrinted = options.resultPrinted;
  }
}

export const isUserError = (error: unknown): error is UserError => error instanceof UserError;
