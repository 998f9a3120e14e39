// @ts-nocheck -- not yet JSDoc-typed (merged from anyprogram before the deadline); remove once typed like the other runtime files.
'use strict';
// The http protocol: the program is an HTTP server on 127.0.0.1:`port` (also given to it as PORT). Init waits until
// GET `healthPath` answers below 500, within the init limit; each event becomes one request (program-http-events.cjs)
// on a kept-alive connection. A crash is a Runtime.ExitError and a missed deadline kills the server; either way the
// next invocation starts it again. With `stream`, the response is streamed to the caller as it arrives.

const http = require('http');
const { InitError } = require('./handler-loader.cjs');
const { ProgramProcess, programError, describeExit, timeoutError, untilDeadline } = require('./program-process.cjs');
const { contextOf } = require('./program.cjs');
const { kindOf, toRequest, toResult, streamPrelude } = require('./program-http-events.cjs');

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const POLL_MS = 10;
const EXIT_GRACE_MS = 200; // a reset connection and the exit of a crashed server arrive in either order

class HttpProgram {
  constructor(config, options) {
    this.config = config;
    this.options = { cwd: options.cwd, env: { ...options.env, PORT: String(config.port) } };
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.proc = null;
    this.exit = null; // resolves with the description of the current process's exit
  }

  describe() {
    return JSON.stringify(this.config.command.join(' '));
  }

  /** Starts the server and waits until it is ready; an InitError (with its last output) when it never is. */
  async start() {
    let onExit;
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
      if (status !== 0 && status < 500) return;
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

  /** Sends the event's request; `onResponse(res)` handles the response and resolves with the outcome. */
  async send(event, context, onResponse) {
    if (this.proc === null)
      await this.start().catch((err) =>
        Promise.reject(programError(err.errorType ?? 'Runtime.ExitError', err.message)),
      );
    const kind = kindOf(event);
    const request = toRequest(kind, event, this.config);
    const headers = {
      ...request.headers,
      'content-length': String(request.body.length),
      'x-amzn-lambda-context': JSON.stringify(contextOf(context)),
    };
    if (kind !== 'event') headers['x-amzn-request-context'] = JSON.stringify(event.requestContext);
    const trace = context.headers['lambda-runtime-trace-id'];
    if (trace !== undefined) headers['x-amzn-trace-id'] = trace;
    const startedMs = Date.now();
    const proc = this.proc;
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (failed, value) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (failed) reject(value);
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

  /** The error for a request that failed: the program's exit when it died, else the connection's error. */
  async failed(proc, err) {
    const exit = await Promise.race([this.exit, new Promise((resolve) => setTimeout(resolve, EXIT_GRACE_MS, null))]);
    if (exit !== null)
      return programError(
        'Runtime.ExitError',
        `the program ${this.describe()} ${exit} during the request; its last output:\n${proc.tail()}`,
      );
    return programError('Runtime.InvalidResponse', `the program's HTTP server failed the request: ${err.message}`);
  }
}

/** GET path → status, or 0 when nothing answers. */
function probe(port, path) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: 1000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

function readAll(res) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    res.on('data', (chunk) => chunks.push(chunk));
    res.on('end', () =>
      resolve({
        status: res.statusCode,
        headers: res.headers,
        rawHeaders: res.rawHeaders,
        body: Buffer.concat(chunks),
      }),
    );
    res.on('error', reject);
  });
}

async function start(config, options) {
  const server = new HttpProgram(config, options);
  await server.start();
  if (!config.stream) {
    return (event, context) =>
      server.send(event, context, async (kind, request, res) => toResult(kind, request, await readAll(res), config));
  }
  const handler = (event, responseStream, context) =>
    server.send(event, context, (kind, request, res) => {
      const response = { status: res.statusCode, rawHeaders: res.rawHeaders };
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
