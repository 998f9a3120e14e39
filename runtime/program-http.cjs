'use strict';
// @ts-check
// The http protocol: the program is an HTTP server on 127.0.0.1:`port` (also given to it as PORT). Init waits until
// GET `healthPath` answers below 500, within the init limit; each event becomes one request (program-http-events.cjs)
// on a kept-alive connection. A crash is a Runtime.ExitError and a missed deadline kills the server; either way the
// next invocation starts it again. With `stream`, the response is streamed to the caller as it arrives.

const http = require('http');
const { InitError } = require('./handler-loader.cjs');
const { ProgramProcess, programError, describeExit, timeoutError, untilDeadline } = require('./program-process.cjs');
const { contextOf } = require('./program.cjs');
const { kindOf, toRequest, toResult, streamPrelude } = require('./program-http-events.cjs');

const { STREAMING } = require('./marks.cjs');
const { invocationHeaders: H } = require('./runtime-api.cjs');

/** @typedef {import('./program.cjs').ProgramConfig} ProgramConfig */
/** @typedef {import('./program.cjs').ProgramOptions} ProgramOptions */
/** @typedef {import('./program.cjs').ProgramContext} ProgramContext */
/** @typedef {import('./marks.cjs').Handler} Handler */
/** @typedef {import('./streaming.cjs').ResponseStream} ResponseStream */
/** @typedef {import('./program-http-events.cjs').EventKind} EventKind */
/** @typedef {import('./program-http-events.cjs').ProgramRequest} ProgramRequest */
/** @typedef {import('./program-http-events.cjs').ProgramResponse} ProgramResponse */
/**
 * Handles the program's response to one event, resolving with the invocation's outcome.
 * @typedef {(kind: EventKind, request: ProgramRequest, res: http.IncomingMessage) => Promise<unknown>} OnResponse
 */

const POLL_MS = 10;
const EXIT_GRACE_MS = 200; // a reset connection and the exit of a crashed server arrive in either order

class HttpProgram {
  /**
   * @param {ProgramConfig} config
   * @param {ProgramOptions} options
   */
  constructor(config, options) {
    this.config = config;
    this.options = { cwd: options.cwd, env: { ...options.env, PORT: String(config.port) } };
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    /** @type {ProgramProcess | null} */
    this.proc = null;
    /** @type {Promise<string>} resolves with the description of the current process's exit */
    this.exit = new Promise(() => {});
  }

  describe() {
    return JSON.stringify(this.config.command.join(' '));
  }

  /** Starts the server and waits until it is ready; an InitError (with its last output) when it never is. */
  async start() {
    /** @type {(exit: string) => void} */
    let onExit = () => {};
    this.exit = new Promise((resolve) => (onExit = resolve));
    const proc = new ProgramProcess(this.config.command, this.options, undefined, (code, signal) => {
      if (this.proc === proc) this.proc = null;
      onExit(describeExit(code, signal));
    });
    this.proc = proc;
    await proc.started();
    const until = Date.now() + this.config.initTimeoutMs;
    const health = `http://127.0.0.1:${this.config.port}${this.config.healthPath}`;
    for (;;) {
      if (proc.exited)
        throw new InitError(
          'Runtime.ExitError',
          `the program ${this.describe()} ${await this.exit} before it was ready on ${health}; its last output:\n${proc.tail()}`,
        );
      const status = await probe(this.config.port, this.config.healthPath);
      // An answer while the program is gone came from someone else on its port: not ready (the next turn says so).
      if (status !== 0 && status < 500 && !proc.exited) return;
      if (Date.now() > until) {
        proc.kill();
        const answer = status === 0 ? 'no answer' : `only status ${status}`;
        throw new InitError(
          'Runtime.ProgramNotReady',
          `the program ${this.describe()} was not ready within ${this.config.initTimeoutMs} ms (${answer} from GET ${health}); its last output:\n${proc.tail()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /**
   * Sends the event's request; `onResponse(res)` handles the response and resolves with the outcome.
   * @param {unknown} event
   * @param {ProgramContext} context
   * @param {OnResponse} onResponse
   * @returns {Promise<unknown>}
   */
  async send(event, context, onResponse) {
    if (this.proc === null)
      await this.start().catch((/** @type {Error & { errorType?: string }} */ err) =>
        Promise.reject(programError(err.errorType ?? 'Runtime.ExitError', err.message)),
      );
    const proc = this.proc;
    // Gone again before the request: the exit was reported to no invocation, so it is this one's.
    if (proc === null)
      throw programError('Runtime.ExitError', `the program ${this.describe()} ${await this.exit} as it started`);
    const kind = kindOf(event);
    const request = toRequest(kind, event, this.config);
    /** @type {Record<string, string>} */
    const headers = {
      ...request.headers,
      'content-length': String(request.body.length),
      'x-amzn-lambda-context': JSON.stringify(contextOf(context)),
    };
    if (kind !== 'event')
      headers['x-amzn-request-context'] = JSON.stringify(
        /** @type {{ requestContext?: unknown }} */ (event).requestContext,
      );
    const trace = context.headers[H.traceId];
    if (trace !== undefined) headers['x-amzn-trace-id'] = trace;
    const startedMs = Date.now();
    return new Promise((resolve, reject) => {
      let done = false;
      /**
       * @param {boolean} failed
       * @param {unknown} value an Error when failed
       */
      const finish = (failed, value) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (failed) reject(/** @type {Error} */ (value));
        else resolve(value);
      };
      const timer = setTimeout(() => {
        req.destroy();
        this.proc = null;
        proc.kill();
        finish(true, timeoutError(startedMs, context.deadlineMs));
      }, untilDeadline(context.deadlineMs));
      const req = http.request({
        host: '127.0.0.1',
        port: this.config.port,
        method: request.method,
        path: request.path,
        headers,
        agent: this.agent,
      });
      req.on('response', (res) =>
        onResponse(kind, request, res).then(
          (v) => finish(false, v),
          (e) => finish(true, e),
        ),
      );
      req.on('error', (err) => this.failed(proc, err).then((e) => finish(true, e)));
      req.end(request.body);
    });
  }

  /**
   * The error for a request that failed: the program's exit when it died, else the connection's error.
   * @param {ProgramProcess} proc
   * @param {Error} err
   */
  async failed(proc, err) {
    const exit = await Promise.race([
      this.exit,
      /** @type {Promise<null>} */ (new Promise((resolve) => setTimeout(resolve, EXIT_GRACE_MS, null))),
    ]);
    if (exit !== null)
      return programError(
        'Runtime.ExitError',
        `the program ${this.describe()} ${exit} during the request; its last output:\n${proc.tail()}`,
      );
    return programError('Runtime.InvalidResponse', `the program's HTTP server failed the request: ${err.message}`);
  }
}

/**
 * GET path → status, or 0 when nothing answers.
 * @param {number} port
 * @param {string} path
 * @returns {Promise<number>}
 */
function probe(port, path) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: 1000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/**
 * @param {http.IncomingMessage} res
 * @returns {Promise<import('./program-http-events.cjs').ProgramResponse>}
 */
function readAll(res) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    res.on('data', (/** @type {Buffer} */ chunk) => chunks.push(chunk));
    res.on('end', () =>
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        rawHeaders: res.rawHeaders,
        body: Buffer.concat(chunks),
      }),
    );
    res.on('error', reject);
  });
}

/**
 * @param {ProgramConfig} config
 * @param {ProgramOptions} options
 * @returns {Promise<Handler>}
 */
async function start(config, options) {
  const server = new HttpProgram(config, options);
  await server.start();
  if (!config.stream) {
    return (/** @type {unknown} */ event, /** @type {ProgramContext} */ context) =>
      server.send(event, context, async (kind, request, res) => toResult(kind, request, await readAll(res), config));
  }
  /** @type {Handler} */
  const handler = (
    /** @type {unknown} */ event,
    /** @type {ResponseStream} */ responseStream,
    /** @type {ProgramContext} */ context,
  ) =>
    server.send(event, context, (kind, request, res) => {
      const response = { status: res.statusCode ?? 0, rawHeaders: res.rawHeaders };
      const stream =
        kind === 'event'
          ? responseStream
          : globalThis.awslambda.HttpResponseStream.from(responseStream, streamPrelude(response));
      if (kind === 'event' && res.headers['content-type'] !== undefined)
        responseStream.setContentType(res.headers['content-type']);
      return new Promise((resolve, reject) => {
        res.on('error', reject);
        res.on('end', resolve);
        res.pipe(stream);
      });
    });
  handler[STREAMING] = 'response';
  return handler;
}

module.exports = { start };
