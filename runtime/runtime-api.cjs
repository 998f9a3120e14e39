'use strict';
// @ts-check
// The Runtime API (version 2018-06-01): its paths, header names and the error types the runtime reports, defined
// once, and the client that builds each request by hand (heads precomputed where they never change) and sends it
// over the one persistent HttpConnection.

const { HttpConnection } = require('./http-client.cjs');

/** @typedef {import('./large-json.cjs').SplicedJson} SplicedJson */
/** @typedef {import('./http-client.cjs').ResponseCallback} ResponseCallback */
const API_VERSION = '2018-06-01';

const paths = {
  next: `/${API_VERSION}/runtime/invocation/next`,
  // Ids come from the API; encoded all the same so that no value can break the request line.
  response: (/** @type {string} */ id) => `/${API_VERSION}/runtime/invocation/${encodeURIComponent(id)}/response`,
  error: (/** @type {string} */ id) => `/${API_VERSION}/runtime/invocation/${encodeURIComponent(id)}/error`,
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
  // tslambda invoke-local only: names the fence line written before this answer (see RuntimeApi#fence).
  logFence: 'Tslambda-Log-Fence',
};

/**
 * Under `tslambda invoke-local` (which sets this variable; Lambda never does) the runtime writes a fence line to
 * stdout and stderr before answering, so the emulator knows when every log line of the invocation has arrived.
 */
const LOG_FENCE_ENV = '_TSLAMBDA_LOG_FENCE';
const LOG_FENCE_MARK = '\u001etslambda-log-fence ';

const errorTypes = {
  importModule: 'Runtime.ImportModuleError',
  userCodeSyntax: 'Runtime.UserCodeSyntaxError',
  handlerNotFound: 'Runtime.HandlerNotFound',
  malformedHandlerName: 'Runtime.MalformedHandlerName',
  unhandledRejection: 'Runtime.UnhandledPromiseRejection',
  serialization: 'Runtime.JSONStringifyError',
  invalidEvent: 'Runtime.InvalidEvent',
  responseTooLarge: 'Function.ResponseSizeTooLarge',
  callbackHandlerDeprecated: 'Runtime.CallbackHandlerDeprecated',
};

/** Streamed responses whose body is an HTTP prelude (JSON), eight NUL bytes, then the payload. */
const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const USER_AGENT = `tslambda-runtime/1 node/${process.version}`;

class RuntimeApi {
  /**
   * `address` is AWS_LAMBDA_RUNTIME_API: `host:port`, `[v6]:port` or a bare host (port 80).
   * @param {string} address
   * @param {{ logFence?: boolean }} [options]
   */
  constructor(address, options) {
    const { host, port } = parseAddress(address);
    this.logFence = options !== undefined && options.logFence === true;
    this.address = address;
    this.connection = new HttpConnection(host, port);
    this.common = `HTTP/1.1\r\nHost: ${address}\r\nUser-Agent: ${USER_AGENT}\r\n`;
    this.nextHead = `GET ${paths.next} ${this.common}\r\n`;
  }

  /**
   * GET /next: waits, without any timeout, for the next invocation.
   * @param {ResponseCallback} callback
   */
  next(callback) {
    this.connection.request(this.nextHead, null, callback);
  }

  /**
   * POST /response with a JSON body.
   * @param {string} requestId
   * @param {string | SplicedJson} json
   * @param {ResponseCallback} callback
   */
  postResponse(requestId, json, callback) {
    this.connection.request(this.responseHead(requestId), json, callback);
  }

  /**
   * POST /response and, in the same write, GET /next (HTTP/1.1 pipelining): one syscall and no round trip between
   * them. A 413 to it is reported by the loop on a second connection (postErrorAside).
   * @param {string} requestId
   * @param {string | SplicedJson} json
   * @param {ResponseCallback} onPosted
   * @param {ResponseCallback} onNext
   */
  postResponseThenNext(requestId, json, onPosted, onNext) {
    this.connection.requestPipelined(this.responseHead(requestId), json, onPosted, this.nextHead, onNext);
  }

  /**
   * The head of a POST /response, fence line written; the connection adds Content-Length once it has encoded the
   * body (see HttpConnection#encodeLarge).
   * @param {string} requestId
   */
  responseHead(requestId) {
    return `POST ${paths.response(requestId)} ${this.common}${this.fence(requestId)}Content-Type: application/json\r\n`;
  }

  /**
   * POST /error with the `{errorType, errorMessage, trace}` body and its error-type header.
   * @param {string} requestId
   * @param {string} headerType
   * @param {string} json
   * @param {ResponseCallback} callback
   */
  postError(requestId, headerType, json, callback) {
    this.postFailure(paths.error(requestId), headerType, json, callback, this.fence(requestId));
  }

  /**
   * POST /init/error: the handler could not be loaded.
   * @param {string} headerType
   * @param {string} json
   * @param {ResponseCallback} callback
   */
  postInitError(headerType, json, callback) {
    this.postFailure(paths.initError, headerType, json, callback);
  }

  /**
   * @param {string} path
   * @param {string} headerType
   * @param {string} json
   * @param {ResponseCallback} callback
   * @param {string} [extraHeaders]
   * @param {HttpConnection} [connection]
   */
  postFailure(path, headerType, json, callback, extraHeaders = '', connection = this.connection) {
    const head = `POST ${path} ${this.common}${extraHeaders}Content-Type: application/json\r\n${requestHeaders.errorType}: ${headerType}\r\n`;
    connection.request(head, json, callback);
  }

  /**
   * POST /error on a connection of its own, closed once answered: the main one has a request waiting on it.
   * @param {string} requestId
   * @param {string} headerType
   * @param {string} json
   * @param {ResponseCallback} callback
   */
  postErrorAside(requestId, headerType, json, callback) {
    const aside = new HttpConnection(this.connection.host, this.connection.port);
    /** @type {ResponseCallback} */
    const done = (err, res) => {
      aside.close();
      callback(err, res);
    };
    this.postFailure(paths.error(requestId), headerType, json, done, this.fence(requestId), aside);
  }

  /**
   * With fencing on: writes the fence line to both streams and returns its header; otherwise ''.
   * @param {string} requestId
   * @returns {string}
   */
  fence(requestId) {
    if (!this.logFence) return '';
    // Through the same streams console uses, behind whatever they still queue: when the host reads slower than the
    // function writes, a pipe write is asynchronous, and a fence written straight to the descriptor would overtake it.
    const token = encodeURIComponent(requestId);
    const line = `${LOG_FENCE_MARK}${token}\n`;
    process.stdout.write(line);
    process.stderr.write(line);
    return `${requestHeaders.logFence}: ${token}\r\n`;
  }

  /**
   * Starts a streamed POST /response (chunked, errors declared as trailers); the body follows in chunks.
   * @param {string} requestId
   * @param {string} contentType
   * @param {ResponseCallback} callback
   */
  openStream(requestId, contentType, callback) {
    const head =
      `POST ${paths.response(requestId)} ${this.common}Content-Type: ${contentType}\r\n` +
      `${requestHeaders.responseMode}: streaming\r\nTransfer-Encoding: chunked\r\n` +
      `Trailer: ${requestHeaders.errorType}, ${requestHeaders.errorBody}\r\n\r\n`;
    this.connection.open(head, callback);
  }
}

/**
 * @param {string} address
 * @returns {{ host: string, port: number }}
 */
function parseAddress(address) {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (v6 !== null) return { host: v6[1], port: v6[2] === undefined ? 80 : Number(v6[2]) };
  const colon = address.lastIndexOf(':');
  if (colon < 0) return { host: address, port: 80 };
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

module.exports = {
  RuntimeApi,
  parseAddress,
  LOG_FENCE_ENV,
  API_VERSION,
  paths,
  invocationHeaders,
  requestHeaders,
  errorTypes,
  HTTP_INTEGRATION_CONTENT_TYPE,
};
