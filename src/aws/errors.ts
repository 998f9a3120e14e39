// Turns AWS SDK failures into one-line UserErrors that carry the AWS error code and, where possible, the fix.
import { ExitCode, UserError, isUserError } from '../core/errors.js';

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

const CREDENTIAL_HINT =
  'configure credentials: --profile <name> (after `aws sso login` for SSO profiles), AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** The IAM action named in an AccessDenied message ("… is not authorized to perform: ecr:CreateRepository on …"). */
export function missingPermission(message: string): string | undefined {
  return /not authorized to perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)/i.exec(message)?.[1];
}

export function awsErrorCode(error: unknown): string | undefined {
  const e = error as SdkErrorShape | undefined;
  return e?.$metadata ? e.name : undefined;
}

/**
 * `action` says what we were doing, e.g. "GetFunction my-fn"; it starts the message so the user knows which
 * call failed without a stack trace.
 */
export function toAwsUserError(error: unknown, action: string): UserError {
  if (isUserError(error)) return error;
  const e = (error ?? {}) as SdkErrorShape;
  const message = (e.message ?? String(error)).trim().split('\n')[0]!;

  if (e.name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new UserError(`no AWS credentials found (${action})`, {
      exitCode: ExitCode.awsError,
      hint: CREDENTIAL_HINT,
      cause: error,
      details: { awsErrorCode: 'CredentialsProviderError' },
    });
  }
  if (/region is missing/i.test(message)) {
    return new UserError(`no AWS region configured (${action})`, {
      exitCode: ExitCode.awsError,
      hint: 'pass --region, set "region" in the config, or set AWS_REGION',
      cause: error,
    });
  }
  const network = e.code ?? (error as { cause?: { code?: string } }).cause?.code;
  const timedOut = e.name === 'TimeoutError' && !e.$metadata?.httpStatusCode;
  if (!e.$metadata?.httpStatusCode && ((network && NETWORK_CODES.has(network)) || timedOut)) {
    // The SDK names a reset connection a TimeoutError too: the network code says more.
    const reason = network && NETWORK_CODES.has(network) ? network : `timed out (${message})`;
    return new UserError(`cannot reach AWS for ${action}: ${reason}`, {
      exitCode: ExitCode.awsError,
      hint: 'check the network, and AWS_ENDPOINT_URL if you point tslambda at a local endpoint',
      cause: error,
    });
  }

  const code = e.name && e.name !== 'Error' ? e.name : 'UnknownError';
  const status = e.$metadata?.httpStatusCode;
  const details = { awsErrorCode: code, httpStatus: status, requestId: e.$metadata?.requestId };
  const line = `${action} failed: ${code}: ${message}`;
  if (/AccessDenied/.test(code)) {
    const permission = missingPermission(message);
    return new UserError(line, {
      exitCode: ExitCode.awsError,
      hint: permission
        ? `grant ${permission} to the identity tslambda runs as`
        : 'check the IAM policy of the identity tslambda runs as',
      cause: error,
      details: { ...details, missingPermission: permission },
    });
  }
  if (/^(UnrecognizedClient|InvalidSignature|SignatureDoesNotMatch|ExpiredToken|InvalidClientTokenId)/.test(code)) {
    return new UserError(line, {
      exitCode: ExitCode.awsError,
      hint: `the credentials were refused: ${CREDENTIAL_HINT}`,
      cause: error,
      details,
    });
  }
  if (/Throttling|TooManyRequests/.test(code)) {
    return new UserError(line, {
      exitCode: ExitCode.awsError,
      hint: 'AWS is throttling this account; wait a moment and run again',
      cause: error,
      details,
    });
  }
  return new UserError(line, { exitCode: ExitCode.awsError, cause: error, details });
}

/** Runs one AWS call and maps its failure; `action` names it for the message. */
export async function awsCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAwsUserError(error, action);
  }
}
