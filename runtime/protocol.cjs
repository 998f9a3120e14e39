'use strict';
// Names of the Lambda Runtime API (version 2018-06-01): paths, header names and the error types the runtime
// reports itself, defined once for the loop, the streaming writer and the error reporter.

const API_VERSION = '2018-06-01';

const paths = {
  next: `/${API_VERSION}/runtime/invocation/next`,
  response: (id) => `/${API_VERSION}/runtime/invocation/${id}/response`,
  error: (id) => `/${API_VERSION}/runtime/invocation/${id}/error`,
  initError: `/${API_VERSION}/runtime/init/error`,
};

/** Invocation headers of `/next`, lower-cased as the response parser stores them. */
const invocationHeaders = {
  requestId: 'lambda-runtime-aws-request-id',
  deadlineMs: 'lambda-runtime-deadline-ms',
  functionArn: 'lambda-runtime-invoked-function-arn',
  traceId: 'lambda-runtime-trace-id',
  clientContext: 'lambda-runtime-client-context',
  cognitoIdentity: 'lambda-runtime-cognito-identity',
  tenantId: 'lambda-runtime-aws-tenant-id',
};

/** Headers and trailers the runtime sends. */
const requestHeaders = {
  errorType: 'Lambda-Runtime-Function-Error-Type',
  errorBody: 'Lambda-Runtime-Function-Error-Body',
  responseMode: 'Lambda-Runtime-Function-Response-Mode',
};

const errorTypes = {
  importModule: 'Runtime.ImportModuleError',
  userCodeSyntax: 'Runtime.UserCodeSyntaxError',
  handlerNotFound: 'Runtime.HandlerNotFound',
  malformedHandlerName: 'Runtime.MalformedHandlerName',
  unhandledRejection: 'Runtime.UnhandledPromiseRejection',
  serialization: 'Runtime.SerializationError',
  invalidEvent: 'Runtime.InvalidEvent',
  responseTooLarge: 'Function.ResponseSizeTooLarge',
};

/** Streamed responses whose body is an HTTP prelude (JSON), eight NUL bytes, then the payload. */
const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

module.exports = { API_VERSION, paths, invocationHeaders, requestHeaders, errorTypes, HTTP_INTEGRATION_CONTENT_TYPE };
