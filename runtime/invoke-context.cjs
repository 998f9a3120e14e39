'use strict';
// The `context` a handler receives: the function's identity from the environment (read once) and the invocation's
// own data from the /next headers, including the raw headers themselves.

const { invocationHeaders: H } = require('./protocol.cjs');

const INVOCATION = Symbol('tslambda.invocation');

/** What the environment says about the function; the same for every invocation. */
function functionEnvironment(env) {
  return {
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
  };
}

class InvokeContext {
  constructor(fn, headers, invocation) {
    this.callbackWaitsForEmptyEventLoop = true;
    this.functionName = fn.functionName;
    this.functionVersion = fn.functionVersion;
    this.memoryLimitInMB = fn.memoryLimitInMB;
    this.logGroupName = fn.logGroupName;
    this.logStreamName = fn.logStreamName;
    this.awsRequestId = headers[H.requestId];
    this.invokedFunctionArn = headers[H.functionArn];
    this.identity = parseJsonHeader(headers[H.cognitoIdentity], 'Lambda-Runtime-Cognito-Identity');
    this.clientContext = parseJsonHeader(headers[H.clientContext], 'Lambda-Runtime-Client-Context');
    this.tenantId = headers[H.tenantId];
    this.deadlineMs = Number(headers[H.deadlineMs]);
    this.headers = headers;
    this[INVOCATION] = invocation;
  }

  getRemainingTimeInMillis() {
    return this.deadlineMs - Date.now();
  }

  // The pre-callback API of Lambda's Node runtime: complete now, without waiting for the event loop.
  succeed(result) {
    this[INVOCATION].complete(false, result);
  }

  fail(error) {
    this[INVOCATION].complete(true, error);
  }

  done(error, result) {
    if (error !== undefined && error !== null) this[INVOCATION].complete(true, error);
    else this[INVOCATION].complete(false, result);
  }
}

function parseJsonHeader(value, name) {
  if (value === undefined || value === '') return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`cannot parse the ${name} header as JSON: ${err.message}`);
  }
}

module.exports = { InvokeContext, functionEnvironment };
