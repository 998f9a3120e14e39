// The names and limits of the two HTTP protocols invoke-local speaks, defined once: the Lambda Runtime API
// (2018-06-01) the function's runtime calls, and the Lambda Invoke API (2015-03-31) callers use.

export const RUNTIME_API_VERSION = '2018-06-01';

/** Runtime API paths; `/invocation/{id}/response|error` is matched by `invocationPath`. */
export const RuntimePath = {
  next: `/${RUNTIME_API_VERSION}/runtime/invocation/next`,
  initError: `/${RUNTIME_API_VERSION}/runtime/init/error`,
} as const;

/** `/2018-06-01/runtime/invocation/{requestId}/(response|error)`. */
export const invocationPath = new RegExp(`^/${RUNTIME_API_VERSION}/runtime/invocation/([^/]+)/(response|error)$`);

/** Runtime API header names, lower-case as node:http presents them. */
export const RuntimeHeader = {
  requestId: 'lambda-runtime-aws-request-id',
  deadlineMs: 'lambda-runtime-deadline-ms',
  functionArn: 'lambda-runtime-invoked-function-arn',
  traceId: 'lambda-runtime-trace-id',
  clientContext: 'lambda-runtime-client-context',
  cognitoIdentity: 'lambda-runtime-cognito-identity',
  errorType: 'lambda-runtime-function-error-type',
  errorBody: 'lambda-runtime-function-error-body',
  responseMode: 'lambda-runtime-function-response-mode',
} as const;

/** tslambda's own extension (see execution/log-fence.ts): set in the function's environment; the runtime reads and removes it. */
export const LOG_FENCE_ENV = '_TSLAMBDA_LOG_FENCE';
/** The request header naming the fence of an answer. */
export const LOG_FENCE_HEADER = 'tslambda-log-fence';

export const STREAMING_RESPONSE_MODE = 'streaming';

/** Lambda's synchronous request and response payload limit: 6 MiB. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Lambda's limit for a streamed response. */
export const MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024;

/** Error types Lambda keeps; anything else a runtime reports becomes `Runtime.Unknown`. */
const ERROR_TYPE_PATTERN = /^(Runtime|Function)\.[A-Z][a-zA-Z]+$/;
export const UNKNOWN_ERROR_TYPE = 'Runtime.Unknown';
export const validErrorType = (reported: string | undefined): string =>
  reported !== undefined && ERROR_TYPE_PATTERN.test(reported) ? reported : UNKNOWN_ERROR_TYPE;

/** The error documents Lambda itself produces (as opposed to those the runtime reports). */
export const LambdaErrorType = {
  timeout: 'Sandbox.Timedout',
  exit: 'Runtime.ExitError',
  outOfMemory: 'Runtime.OutOfMemory',
  responseTooLarge: 'Function.ResponseSizeTooLarge',
} as const;

/** The Runtime API's own error answers to a runtime (errorType field of the JSON body). */
export const RuntimeApiError = {
  invalidRequestId: 'InvalidRequestID',
  invalidStateTransition: 'InvalidStateTransition',
  tooLarge: 'RequestEntityTooLarge',
  notFound: 'NotFound',
  methodNotAllowed: 'MethodNotAllowed',
} as const;

export const INVOKE_API_VERSION = '2015-03-31';
/** `POST /2015-03-31/functions/{FunctionName}/invocations`. */
export const invokePath = new RegExp(`^/${INVOKE_API_VERSION}/functions/([^/]+)/invocations$`);

/** `POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations` (InvokeWithResponseStream). */
export const streamingInvokePath = /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations$/;

/** Invoke API header names, lower-case. */
export const InvokeHeader = {
  invocationType: 'x-amz-invocation-type',
  logType: 'x-amz-log-type',
  logResult: 'x-amz-log-result',
  clientContext: 'x-amz-client-context',
  functionError: 'x-amz-function-error',
  executedVersion: 'x-amz-executed-version',
  requestId: 'x-amzn-requestid',
  errorType: 'x-amzn-errortype',
} as const;

export const InvocationType = { requestResponse: 'RequestResponse', event: 'Event', dryRun: 'DryRun' } as const;

/** Lambda returns at most the last 4 KB of an invocation's log with `X-Amz-Log-Type: Tail`. */
export const LOG_TAIL_BYTES = 4 * 1024;

export const LATEST_VERSION = '$LATEST';
