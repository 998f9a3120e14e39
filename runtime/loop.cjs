'use strict';
// @ts-check
// The invocation loop: GET /next, call the handler with its event and context, post its result or error, repeat;
// decides when an invocation is complete (promise, callback, empty event loop) and what a failure of the handler
// or of the API means.

const { invocationHeaders: H, errorTypes } = require('./runtime-api.cjs');
const { logState, emitFailure } = require('./logging.cjs');
const { ric4 } = require('./contract.cjs');
const { parseEvent, stringifyResult } = require('./large-json.cjs');

/** @typedef {import('./runtime-api.cjs').RuntimeApi} RuntimeApi */
/** @typedef {import('./response-parser.cjs').ResponseParser} HttpResponse */
/** @typedef {import('./streaming.cjs').ResponseStream} ResponseStream */
/** @typedef {import('./marks.cjs').Handler} Handler */
/**
 * The invocation in progress: an Invocation, or a stand-in when its headers could not be read.
 * @typedef {{ id: string, state: number, stream: ResponseStream | null, failed?: boolean, value?: any }} Current
 */

const INVOCATION = Symbol('tslambda.invocation');

/**
 * What the environment says about the function; the same for every invocation.
 * @param {NodeJS.ProcessEnv} env
 */
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
  /**
   * @param {ReturnType<typeof functionEnvironment>} fn
   * @param {Readonly<Record<string, string>>} headers
   * @param {Invocation} invocation
   */
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
}

/** Up to Node 22 (aws-lambda-ric 3.x) the context also completes the invocation; nodejs24.x dropped these. */
class CallbackContext extends InvokeContext {
  // The pre-callback API of Lambda's Node runtime: complete now, without waiting for the event loop.
  /** @param {unknown} result */
  succeed(result) {
    this[INVOCATION].complete(false, result);
  }

  /** @param {unknown} error */
  fail(error) {
    this[INVOCATION].complete(true, error);
  }

  /**
   * @param {unknown} [error]
   * @param {unknown} [result]
   */
  done(error, result) {
    if (error !== undefined && error !== null) this[INVOCATION].complete(true, error);
    else this[INVOCATION].complete(false, result);
  }
}

/**
 * @param {string | undefined} value
 * @param {string} name
 */
function parseJsonHeader(value, name) {
  if (value === undefined || value === '') return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw runtimeError(
      errorTypes.invalidEvent,
      `cannot parse the ${name} header as JSON: ${/** @type {Error} */ (err).message}`,
    );
  }
}

const { STREAMING, RUNNING, AWAITING_EMPTY_LOOP, SETTLED } = require('./marks.cjs');

/** One invocation: its id, context, completion state and the callback handed to the handler. */
class Invocation {
  /**
   * @param {RuntimeLoop} loop
   * @param {string} id
   * @param {Readonly<Record<string, string>>} headers
   */
  constructor(loop, id, headers) {
    this.loop = loop;
    this.id = id;
    this.state = RUNNING;
    this.failed = false;
    this.value = undefined;
    /** @type {ResponseStream | null} */
    this.stream = null;
    this.context = ric4 ? new InvokeContext(loop.fn, headers, this) : new CallbackContext(loop.fn, headers, this);
    /** @type {(err?: unknown, data?: unknown) => void} the handler's callback (3.x) */
    this.callback = (err, data) => {
      if (this.state !== RUNNING) return;
      const failed = err !== undefined && err !== null;
      if (this.context.callbackWaitsForEmptyEventLoop) {
        this.state = AWAITING_EMPTY_LOOP;
        this.failed = failed;
        this.value = failed ? err : data;
      } else {
        loop.settle(this, failed, failed ? err : data);
      }
    };
  }

  /**
   * @param {boolean} failed
   * @param {unknown} value
   */
  complete(failed, value) {
    if (this.state === RUNNING) this.loop.settle(this, failed, value);
  }
}

class RuntimeLoop {
  /**
   * @param {RuntimeApi} api
   * @param {Handler} handler
   * @param {NodeJS.ProcessEnv} env
   */
  constructor(api, handler, env) {
    this.api = api;
    this.handler = handler;
    this.streaming = handler[STREAMING] === 'response';
    this.fn = functionEnvironment(env);
    /** @type {Current | null} */
    this.current = null;
    this.fatal = false;
    this.traceSet = false;
    /** @type {Current | null} */
    this.deferred = null; // a settled invocation whose result is posted in the check phase (see settle)
    this.pipelined = false; // the /response in flight has GET /next pipelined behind it
    this.onNext = this.onNext.bind(this);
    this.onResponsePosted = this.onResponsePosted.bind(this);
    this.onErrorPosted = this.onErrorPosted.bind(this);
    this.onTooLargeReported = this.onTooLargeReported.bind(this);
    this.postDeferred = this.postDeferred.bind(this);
  }

  start() {
    process.on('beforeExit', () => this.onEmptyEventLoop());
    this.next();
  }

  next() {
    if (this.fatal) return exit(1);
    this.current = null;
    this.api.next(this.onNext);
  }

  /**
   * @param {Error | null} err
   * @param {HttpResponse} res
   */
  onNext(err, res) {
    if (err !== null)
      return die(`lost the Runtime API connection while waiting for the next invocation: ${err.message}`);
    if (res.status !== 200) return die(`the Runtime API answered ${res.status} to /next: ${bodyText(res)}`);
    const headers = res.headers;
    const id = headers[H.requestId];
    if (id === undefined || id === '')
      return die('the Runtime API sent an invocation without a Lambda-Runtime-Aws-Request-Id header');
    // A view into the connection's buffers: parsed below, before anything reads from the connection again.
    const body = res.body;

    const traceId = headers[H.traceId];
    if (traceId !== undefined) {
      process.env._X_AMZN_TRACE_ID = traceId;
      this.traceSet = true;
    } else if (this.traceSet) {
      delete process.env._X_AMZN_TRACE_ID;
      this.traceSet = false;
    }
    logState.requestId = id;

    let invocation;
    try {
      invocation = new Invocation(this, id, headers);
    } catch (headerError) {
      this.current = { id, state: SETTLED, stream: null };
      return this.postFailure(this.current, headerError, errorTypes.invalidEvent);
    }
    this.current = invocation;
    let event;
    try {
      event = parseEvent(body);
    } catch (parseError) {
      invocation.state = SETTLED;
      return this.postFailure(
        invocation,
        runtimeError(
          errorTypes.invalidEvent,
          `the event is not valid JSON: ${/** @type {Error} */ (parseError).message}`,
        ),
        errorTypes.invalidEvent,
      );
    }
    // While the handler runs only its own work may keep the process alive, so an empty event loop is observable.
    this.api.connection.unref();
    if (this.streaming) return require('./streaming.cjs').invokeStreaming(this, invocation, event);

    if (ric4) return this.invoke4(invocation, event);
    let result;
    try {
      result = this.handler(event, invocation.context, invocation.callback);
      if (
        result !== null &&
        (typeof result === 'object' || typeof result === 'function') &&
        typeof result.then === 'function'
      ) {
        result.then(
          (/** @type {unknown} */ value) => invocation.complete(false, value),
          (/** @type {unknown} */ error) => invocation.complete(true, error),
        );
      }
    } catch (thrown) {
      invocation.complete(true, thrown);
    }
  }

  /**
   * nodejs24.x: no callback; whatever the handler returns (awaited when a promise) is the result.
   * @param {Invocation} invocation
   * @param {unknown} event
   */
  invoke4(invocation, event) {
    let result;
    try {
      result = this.handler(event, invocation.context);
    } catch (thrown) {
      return invocation.complete(true, thrown);
    }
    if (
      result !== null &&
      (typeof result === 'object' || typeof result === 'function') &&
      typeof result.then === 'function'
    ) {
      result.then(
        (/** @type {unknown} */ value) => invocation.complete(false, value),
        (/** @type {unknown} */ error) => invocation.complete(true, error),
      );
    } else {
      invocation.complete(false, result);
    }
  }

  /**
   * The handler's outcome is known: post it. A result JSON cannot carry fails the invocation with the official
   * client's own error: "Unable to stringify response body" when JSON.stringify throws, and the native client's
   * TypeError "Wrong arguments" when it yields nothing (a function, a symbol). Up to Node 22 (3.x) a callback's
   * result is posted from a setImmediate after the event loop empties, so there the error is uncaught.
   * @param {Current} invocation
   * @param {boolean | undefined} failed
   * @param {unknown} value
   * @param {boolean} [fromEmptyLoop]
   */
  settle(invocation, failed, value, fromEmptyLoop = false) {
    if (failed) return this.postFailure(invocation, value, undefined);
    let json;
    try {
      json = stringifyResult(value === undefined ? null : value);
    } catch {
      const error = new Error('Unable to stringify response body');
      // Runtime.JSONStringifyError from Node 24 (4.x).
      if (ric4) error.name = errorTypes.serialization;
      return this.unpostable(invocation, error, fromEmptyLoop);
    }
    if (json === undefined) return this.unpostable(invocation, new TypeError('Wrong arguments'), fromEmptyLoop);
    invocation.state = SETTLED;
    invocation.value = json;
    // Posted with GET /next in the same write, whatever its size, once this tick's unhandled rejections were
    // reported: one left by the handler sets `fatal`, and a process about to exit must not ask for another
    // invocation. A 413 to it is still reported on /error, on a connection of its own (see reportTooLarge).
    this.deferred = invocation;
    setImmediate(this.postDeferred);
  }

  /**
   * @param {Current} invocation
   * @param {Error} error
   * @param {boolean} fromEmptyLoop
   */
  unpostable(invocation, error, fromEmptyLoop) {
    if (fromEmptyLoop && !ric4) return this.onUncaught(error, undefined);
    this.postFailure(invocation, error, undefined);
  }

  postDeferred() {
    const invocation = /** @type {Current} set by settle() before this runs */ (this.deferred);
    this.deferred = null;
    if (this.fatal) return this.api.postResponse(invocation.id, invocation.value, this.onResponsePosted);
    this.pipelined = true;
    this.api.postResponseThenNext(invocation.id, invocation.value, this.onResponsePosted, this.onNext);
  }

  /**
   * @param {Error | null} err
   * @param {HttpResponse} res
   */
  onResponsePosted(err, res) {
    const pipelined = this.pipelined;
    this.pipelined = false;
    if (err !== null) return die(`lost the Runtime API connection while posting a response: ${err.message}`);
    const status = res.status;
    if (status >= 200 && status < 300) return this.afterPost(pipelined);
    if (status === 413) return this.reportTooLarge(res, pipelined);
    this.rejected('/response', res, pipelined);
  }

  /**
   * The API refused the result as too large: the invocation fails with Function.ResponseSizeTooLarge on /error.
   * When GET /next is already on the wire, the /error goes on a connection of its own, since an API may hold the
   * next invocation until this one is reported. An API that failed the invocation itself on its 413 (Lambda's
   * does) answers that /error with 403: expected, so not logged.
   * @param {HttpResponse} res
   * @param {boolean} pipelined
   */
  reportTooLarge(res, pipelined) {
    const invocation = /** @type {Current} set while its response is posted */ (this.current);
    const value = invocation.value;
    const size = typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength();
    invocation.value = undefined;
    const message = `response payload of ${size} bytes is larger than the Runtime API accepts (${bodyText(res) || '413 Payload Too Large'})`;
    const failure = this.serializeForError(
      runtimeError(errorTypes.responseTooLarge, message),
      errorTypes.responseTooLarge,
    );
    if (!pipelined) return this.api.postError(invocation.id, failure.headerType, failure.json, this.onTooLargeReported);
    this.api.postErrorAside(
      invocation.id,
      failure.headerType,
      failure.json,
      (/** @type {Error | null} */ err, /** @type {HttpResponse} */ answer) => {
        if (err !== null) return die(`lost the Runtime API connection while posting an error: ${err.message}`);
        if (!(answer.status >= 200 && answer.status < 300) && answer.status !== 403)
          this.rejected('/error', answer, true, false);
      },
    );
    this.afterPost(true);
  }

  /**
   * @param {Error | null} err
   * @param {HttpResponse} res
   */
  onTooLargeReported(err, res) {
    if (err === null && res.status === 403) return this.next();
    this.onErrorPosted(err, res);
  }

  /**
   * A post was answered: ask for the next invocation, unless that request is already on the wire.
   * @param {boolean} pipelined
   */
  afterPost(pipelined) {
    if (!pipelined) return this.next();
    if (this.fatal) return exit(1);
    this.current = null;
  }

  /**
   * Posts the failure of an invocation; `errorType` forces a Runtime or Function type.
   * @param {Current} invocation
   * @param {unknown} value
   * @param {string} [errorType]
   */
  postFailure(invocation, value, errorType) {
    invocation.state = SETTLED;
    const failure = this.serializeForError(value, errorType);
    this.api.postError(invocation.id, failure.headerType, failure.json, this.onErrorPosted);
  }

  /**
   * The failure's /error body, logged as Lambda logs an invocation error.
   * @param {unknown} value
   * @param {string | undefined} errorType
   */
  serializeForError(value, errorType) {
    const { serializeFailure } = require('./errors.cjs');
    const failure = serializeFailure(value, errorType);
    emitFailure('Invoke Error', failure.body);
    return failure;
  }

  /**
   * @param {Error | null} err
   * @param {HttpResponse} res
   */
  onErrorPosted(err, res) {
    if (err !== null) return die(`lost the Runtime API connection while posting an error: ${err.message}`);
    if (res.status >= 200 && res.status < 300) return this.next();
    this.rejected('/error', res);
  }

  /**
   * A non-2xx answer to a post: 5xx means the environment is broken; 4xx concerns this invocation only.
   * @param {string} path
   * @param {HttpResponse} res
   * @param {boolean} [pipelined]
   * @param {boolean} [carryOn]
   */
  rejected(path, res, pipelined = false, carryOn = true) {
    if (res.status >= 500) return die(`the Runtime API answered ${res.status} to ${path}: ${bodyText(res)}`);
    process.stderr.write(`tslambda runtime: the Runtime API answered ${res.status} to ${path}: ${bodyText(res)}\n`);
    if (carryOn) this.afterPost(pipelined);
  }

  /** Node found nothing left to do: a pending callback result is posted; a handler that never completed returns null. */
  onEmptyEventLoop() {
    const invocation = this.current;
    if (invocation === null) return;
    if (invocation.stream !== null) return invocation.stream.endFromEmptyLoop();
    if (this.api.connection.busy) return;
    if (invocation.state === AWAITING_EMPTY_LOOP) this.settle(invocation, invocation.failed, invocation.value, true);
    else if (invocation.state === RUNNING && isAsyncFunction(this.handler))
      this.postFailure(invocation, runtimeError('Runtime.NodeJsExit', NODE_JS_EXIT));
    else if (invocation.state === RUNNING) this.settle(invocation, false, null);
  }

  /**
   * An uncaught exception or unhandled rejection: the invocation in progress fails with it and the process exits
   * non-zero once that is reported, so the platform starts a fresh environment.
   * @param {unknown} error
   * @param {string | undefined} errorType
   */
  onUncaught(error, errorType) {
    const { serializeFailure } = require('./errors.cjs');
    emitFailure(
      errorType === undefined ? 'Uncaught Exception' : 'Unhandled Promise Rejection',
      serializeFailure(error, errorType).body,
    );
    this.fatal = true;
    const invocation = this.current;
    if (invocation === null) return exit(1);
    if (invocation.stream !== null) return invocation.stream.fail(error, errorType);
    if (invocation.state !== SETTLED) return this.postFailure(invocation, error, errorType);
    // Its outcome is on the wire or about to be (deferred): exit once it is acknowledged (next() sees `fatal`).
    if (!this.api.connection.busy && this.deferred === null) exit(1);
  }
}

// An async handler whose promise can never settle: what the official client reports when the event loop empties.
const NODE_JS_EXIT =
  'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes';

/** @param {Function} fn */
function isAsyncFunction(fn) {
  return fn.constructor !== undefined && fn.constructor !== null && fn.constructor.name === 'AsyncFunction';
}

/**
 * An error the runtime itself raises: named by its Runtime.* or Function.* type, so the message needs no prefix.
 * @param {string} errorType
 * @param {string} message
 */
function runtimeError(errorType, message) {
  const error = new Error(message);
  error.name = errorType;
  return error;
}

/** @param {HttpResponse} res */
function bodyText(res) {
  return res.body.toString('utf8', 0, Math.min(res.body.length, 1024)).trim();
}

/** @param {string} message */
function die(message) {
  process.stderr.write(`tslambda runtime: ${message}\n`);
  exit(1);
}

/** @param {number} code */
function exit(code) {
  process.exit(code);
}

module.exports = { RuntimeLoop, die };
