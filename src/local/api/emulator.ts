// The Lambda Runtime API (2018-06-01) for one execution environment: hands invocations to the runtime one
// at a time and turns what the runtime answers (or fails to answer) into the result a caller sees.

import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { DEFAULT_LOCAL_REGION } from '../execution/lambda-env.js';
import type { RuntimeExit } from '../execution/launcher.js';
import { answerClientErrors, closeServer, drain, headerValue, listen, readBody, sendJson } from './http.js';
import {
  handoverHeaders,
  replyAccepted,
  replyInvalidRequestId,
  replyMethodNotAllowed,
  replyNotFound,
  replyOutOfTurn,
  replyTooLarge,
} from './runtime-replies.js';
import {
  errorBody,
  errorDocument,
  type InvocationOutcome,
  type InvokeOptions,
  type InvokeResult,
} from './invocation.js';
import {
  LOG_FENCE_HEADER,
  LambdaErrorType,
  MAX_PAYLOAD_BYTES,
  MAX_STREAMED_RESPONSE_BYTES,
  RuntimeHeader,
  RuntimePath,
  STREAMING_RESPONSE_MODE,
  invocationPath,
  validErrorType,
} from './protocol.js';
import { receiveStream } from './streamed-response.js';
import { ExtensionsApi, type ShutdownReason } from './extensions.js';
import { TELEMETRY_PATH, TelemetryApi } from './telemetry.js';

export interface EmulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  functionName: string;
  region?: string;
  /** The function's timeout; the invocation is answered with a timeout error when it expires. */
  timeoutMs: number;
  /** No deadline timer (a debugger may hold the function paused); the deadline header is still sent. */
  noTimeout?: boolean;
  /** The handler string, as the Extensions API's register answer names it. */
  handler?: string;
  /** Where a telemetry subscriber's `sandbox.localdomain` is reached from the emulator. */
  sandboxHost?: string;
}

export interface EmulatorEvents {
  /** The runtime received the invocation (print START). */
  start: [{ requestId: string; initDurationMs?: number }];
  /** The invocation is settled (print END/REPORT). */
  end: [InvokeResult];
  /** The runtime reported an initialisation error. */
  initError: [{ errorType: string; payload: Buffer }];
}

interface Queued {
  requestId: string;
  payload: Buffer;
  options: InvokeOptions;
  resolve: (result: InvokeResult) => void;
  reject: (error: Error) => void;
}

interface Active extends Queued {
  startedAt: number;
  initDurationMs?: number;
  timer?: NodeJS.Timeout;
  /** The caller has its result (the runtime answered and every extension is ready again, or it failed). */
  completed?: boolean;
  /** The runtime has begun posting its answer; a second one is a state error. */
  answering: boolean;
  logFence?: string;
  settled: boolean;
}

const FINISHED_IDS_KEPT = 10_000;

export class Emulator extends EventEmitter<EmulatorEvents> {
  readonly functionName: string;
  readonly functionArn: string;
  readonly timeoutMs: number;
  readonly extensions: ExtensionsApi;
  readonly telemetry: TelemetryApi;
  private readonly noTimeout: boolean;
  private readonly server: Server;
  private readonly queue: Queued[] = [];
  private readonly waiters = new Set<ServerResponse>();
  private readonly finished = new Set<string>();
  private active?: Active;
  /** False between a timeout/exit and the next environmentStarting(): the old runtime must not get work. */
  private accepting = true;
  private initStartedAt = performance.now();
  private initDone = false;
  private initDurationMs?: number;
  private initError?: { errorType: string; payload: Buffer; outcome?: InvocationOutcome };
  private closed = false;

  constructor(server: Server, options: EmulatorOptions) {
    super();
    this.server = server;
    this.functionName = options.functionName;
    this.functionArn = `arn:aws:lambda:${options.region ?? DEFAULT_LOCAL_REGION}:000000000000:function:${options.functionName}`;
    this.timeoutMs = options.timeoutMs;
    this.noTimeout = options.noTimeout ?? false;
    this.extensions = new ExtensionsApi({
      functionName: options.functionName,
      functionArn: this.functionArn,
      handler: options.handler,
    });
    this.extensions.onChange = () => this.dispatch();
    this.telemetry = new TelemetryApi({ sandboxHost: options.sandboxHost });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `host:port` for AWS_LAMBDA_RUNTIME_API when the runtime shares the host's network. */
  get address(): string {
    const { address, port } = this.server.address() as AddressInfo;
    const host =
      address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address.includes(':') ? `[${address}]` : address;
    return `${host}:${port}`;
  }

  /** Whether the next invocation will be answered by a stored init error without reaching a runtime. */
  get hasPendingInitError(): boolean {
    return this.initError !== undefined;
  }

  /** Invocations waiting for a runtime. */
  get queuedInvocations(): number {
    return this.queue.length;
  }

  /** Queue an invocation; resolves when the runtime answered, failed, timed out or exited. */
  invoke(payload: Buffer | string, options: InvokeOptions = {}): Promise<InvokeResult> {
    if (this.closed) return Promise.reject(new Error('the emulator is closed'));
    return new Promise((resolve, reject) => {
      const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
      this.queue.push({ requestId: randomUUID(), payload: body, options, resolve, reject });
      this.dispatch();
    });
  }

  /** A (new) runtime process is starting: Init Duration is measured from now to its first `/next`. */
  environmentStarting(): void {
    for (const waiter of this.waiters) waiter.destroy();
    this.waiters.clear();
    this.extensions.reset();
    this.telemetry.reset();
    this.telemetry.platform('platform.initStart', { initializationType: 'on-demand', phase: 'init' });
    this.accepting = true;
    this.initDone = false;
    this.initDurationMs = undefined;
    this.initStartedAt = performance.now();
  }

  /** The runtime process ended: the invocation it held fails with Runtime.ExitError (or OutOfMemory). */
  environmentExited(exit: RuntimeExit): void {
    this.accepting = false;
    // The extensions went with the environment: an answered invocation no longer waits for them.
    this.extensions.reset();
    const active = this.active;
    const reason = exit.signal ? `signal: ${exit.signal}` : `exit status ${exit.exitCode ?? 'unknown'}`;
    const errorType = exit.oomKilled ? LambdaErrorType.outOfMemory : LambdaErrorType.exit;
    if (!active && !this.initDone && this.queue.length > 0 && !this.initError) {
      // Exited before asking for work (e.g. Node refused its NODE_OPTIONS): the waiting invocation fails with
      // it, as on Lambda, instead of starting the same failing runtime again and again.
      const requestId = this.queue[0]!.requestId;
      this.initError = {
        errorType,
        payload: errorDocument(errorType, `RequestId: ${requestId} Error: Runtime exited with error: ${reason}`),
        outcome: 'exited',
      };
      return this.dispatch();
    }
    if (!active || active.settled) return;
    this.settle(
      active,
      'exited',
      errorDocument(errorType, `RequestId: ${active.requestId} Error: Runtime exited with error: ${reason}`),
      errorType,
    );
  }

  /** SHUTDOWN to the extensions (with its deadline), after the telemetry still buffered is delivered. */
  async shutdownExtensions(reason: ShutdownReason): Promise<void> {
    await this.telemetry.flush();
    await this.extensions.shutdown(reason);
    await this.telemetry.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new Error('the emulator closed before the invocation finished');
    for (const queued of this.queue.splice(0)) queued.reject(error);
    if (this.active && !this.active.completed) {
      clearTimeout(this.active.timer);
      this.active.settled = true;
      this.active.completed = true;
      this.active.reject(error);
    }
    for (const waiter of this.waiters) waiter.destroy();
    await closeServer(this.server);
  }

  /** Routes one Runtime API request; every path answers, none throws. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    if (path === RuntimePath.next) {
      if (req.method !== 'GET') return replyMethodNotAllowed(req, res);
      return this.next(req, res);
    }
    if (path === RuntimePath.initError) {
      if (req.method !== 'POST') return replyMethodNotAllowed(req, res);
      return void this.postInitError(req, res);
    }
    const match = invocationPath.exec(path);
    if (match) {
      if (req.method !== 'POST') return replyMethodNotAllowed(req, res);
      const requestId = decodeURIComponent(match[1]);
      return void (match[2] === 'response'
        ? this.postResponse(requestId, req, res)
        : this.postError(requestId, req, res));
    }
    if (this.extensions.handle(req, res, path)) return;
    if (path === TELEMETRY_PATH || path === `${TELEMETRY_PATH}/`) {
      if (req.method !== 'PUT') return replyMethodNotAllowed(req, res);
      const extension = this.extensions.identify(req, res);
      return void (extension && this.telemetry.subscribe(extension.name, req, res));
    }
    replyNotFound(req, res, path);
  }

  private next(req: IncomingMessage, res: ServerResponse): void {
    drain(req);
    if (!this.initDone && this.accepting) {
      this.initDone = true;
      this.initDurationMs = performance.now() - this.initStartedAt;
      const init = { initializationType: 'on-demand', phase: 'init', status: 'success' };
      this.telemetry.platform('platform.initRuntimeDone', init);
      this.telemetry.platform('platform.initReport', { ...init, metrics: { durationMs: this.initDurationMs } });
    }
    this.waiters.add(res);
    res.on('close', () => this.waiters.delete(res));
    this.dispatch();
  }

  /** Hands the oldest queued invocation to a waiting runtime, if nothing else is running. */
  private dispatch(): void {
    while (!this.active && this.queue.length > 0) {
      if (this.initError) {
        // Lambda answers the invocation that triggered a failed init with the init error.
        const { errorType, payload, outcome = 'error' } = this.initError;
        this.initError = undefined;
        const queued = this.queue.shift()!;
        const result: InvokeResult = {
          requestId: queued.requestId,
          outcome,
          payload,
          errorType,
          streamed: false,
          durationMs: 0,
          initFailed: true,
        };
        this.remember(queued.requestId);
        this.emit('end', result);
        queued.resolve(result);
        continue;
      }
      // Lambda's next invocation waits for the runtime and for every extension to be ready.
      if (!this.accepting || !this.extensions.ready) return;
      const waiter = this.takeWaiter();
      if (!waiter) return;
      this.deliver(this.queue.shift()!, waiter);
    }
  }

  private takeWaiter(): ServerResponse | undefined {
    for (const waiter of this.waiters) {
      this.waiters.delete(waiter);
      if (!waiter.destroyed && !waiter.socket?.destroyed) return waiter;
    }
    return undefined;
  }

  private deliver(queued: Queued, res: ServerResponse): void {
    const headers = handoverHeaders({
      requestId: queued.requestId,
      deadlineMs: Date.now() + this.timeoutMs,
      functionArn: this.functionArn,
      options: queued.options,
    });
    const initDurationMs = this.initDurationMs;
    this.initDurationMs = undefined;
    const active: Active = {
      ...queued,
      startedAt: performance.now(),
      initDurationMs,
      answering: false,
      settled: false,
      timer: this.noTimeout ? undefined : setTimeout(() => this.timeOut(active), this.timeoutMs),
    };
    this.active = active;
    res.writeHead(200, headers);
    res.end(queued.payload);
    this.telemetry.platform('platform.start', { requestId: queued.requestId, version: '$LATEST' });
    this.extensions.invoke({
      requestId: queued.requestId,
      deadlineMs: Number(headers[RuntimeHeader.deadlineMs]),
      invokedFunctionArn: this.functionArn,
      traceId: headers[RuntimeHeader.traceId]!,
    });
    this.emit('start', { requestId: queued.requestId, initDurationMs });
  }

  private timeOut(active: Active): void {
    if (active.completed) return;
    // The runtime may have answered while an extension still holds the invocation: the timeout covers both.
    active.settled = false;
    this.accepting = false; // the runtime is frozen until the environment is replaced
    const seconds = (this.timeoutMs / 1000).toFixed(2);
    this.settle(
      active,
      'timeout',
      errorDocument(
        LambdaErrorType.timeout,
        `RequestId: ${active.requestId} Error: Task timed out after ${seconds} seconds`,
      ),
      LambdaErrorType.timeout,
    );
  }

  private settle(
    active: Active,
    outcome: InvocationOutcome,
    payload: Buffer,
    errorType: string | undefined,
    streamed = false,
  ): void {
    if (active.settled) return;
    active.settled = true;
    const runtimeDurationMs = performance.now() - active.startedAt;
    this.telemetry.platform('platform.runtimeDone', {
      requestId: active.requestId,
      status: outcome === 'exited' ? 'failure' : outcome,
      metrics: { durationMs: runtimeDurationMs, producedBytes: payload.length },
    });
    const result = { requestId: active.requestId, outcome, payload, errorType, streamed };
    // The invocation ends when the runtime answered and every extension has called /event/next again.
    if ((outcome === 'success' || outcome === 'error') && !this.extensions.ready)
      return void this.extensions.whenReady().then(() => this.complete(active, result));
    this.complete(active, result);
  }

  private complete(active: Active, answer: Omit<InvokeResult, 'durationMs'>): void {
    if (active.completed) return;
    active.completed = true;
    clearTimeout(active.timer);
    this.remember(active.requestId);
    if (this.active === active) this.active = undefined;
    const result: InvokeResult = {
      ...answer,
      durationMs: performance.now() - active.startedAt,
      ...(active.initDurationMs !== undefined ? { initDurationMs: active.initDurationMs } : {}),
      ...(active.logFence !== undefined ? { logFence: active.logFence } : {}),
    };
    this.emit('end', result);
    active.resolve(result);
    this.dispatch();
  }

  private remember(requestId: string): void {
    this.finished.add(requestId);
    if (this.finished.size > FINISHED_IDS_KEPT) this.finished.delete(this.finished.values().next().value!);
  }

  /** The invocation a response/error names, or an answer saying why there is none. */
  private claim(requestId: string, req: IncomingMessage, res: ServerResponse): Active | undefined {
    const active = this.active;
    if (active && active.requestId === requestId && !active.answering && !active.settled) {
      active.answering = true;
      active.logFence = headerValue(req, LOG_FENCE_HEADER);
      return active;
    }
    drain(req);
    if (this.finished.has(requestId) || active?.requestId === requestId) {
      replyOutOfTurn(res, `invocation ${requestId} has already been answered or has ended`);
    } else {
      replyInvalidRequestId(res, requestId);
    }
    return undefined;
  }

  private async postResponse(requestId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const active = this.claim(requestId, req, res);
    if (!active) return;
    if (req.headers[RuntimeHeader.responseMode] === STREAMING_RESPONSE_MODE)
      return this.receiveStream(active, req, res);
    const body = await readBody(req, MAX_PAYLOAD_BYTES);
    if (active.settled) return replyOutOfTurn(res, `invocation ${requestId} has ended`);
    if (body === 'aborted') {
      active.answering = false; // the runtime may try again
      return;
    }
    if (body === 'tooLarge') {
      replyTooLarge(res, `Exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`);
      const message = `Response payload size exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`;
      return this.settle(
        active,
        'error',
        errorDocument(LambdaErrorType.responseTooLarge, message),
        LambdaErrorType.responseTooLarge,
      );
    }
    replyAccepted(res);
    this.settle(active, 'success', body, undefined);
  }

  /** A streamed response: bytes pass through as they come; an error may arrive in the trailers. */
  private async receiveStream(active: Active, req: IncomingMessage, res: ServerResponse): Promise<void> {
    active.options.onStreamStart?.(headerValue(req, 'content-type') ?? 'application/octet-stream');
    const answer = await receiveStream(req, active.options.streamTo, () => active.settled);
    if (answer.kind === 'aborted') {
      if (!active.settled) active.answering = false;
      return;
    }
    if (active.settled) return replyOutOfTurn(res, `invocation ${active.requestId} has ended`);
    if (answer.kind === 'tooLarge') {
      replyTooLarge(res, `Exceeded maximum allowed streamed payload size (${MAX_STREAMED_RESPONSE_BYTES} bytes).`);
      return this.settle(
        active,
        'error',
        errorDocument(LambdaErrorType.responseTooLarge, 'Response payload size exceeded maximum allowed payload size.'),
        LambdaErrorType.responseTooLarge,
        true,
      );
    }
    replyAccepted(res);
    if (answer.kind === 'error') return this.settle(active, 'error', answer.payload, answer.errorType, true);
    this.settle(active, 'success', answer.payload, undefined, true);
  }

  private async postError(requestId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const active = this.claim(requestId, req, res);
    if (!active) return;
    const body = await readBody(req, MAX_PAYLOAD_BYTES);
    if (body === 'aborted') {
      active.answering = false;
      return;
    }
    if (active.settled) return replyOutOfTurn(res, `invocation ${requestId} has ended`);
    const errorType = validErrorType(headerValue(req, RuntimeHeader.errorType));
    if (body === 'tooLarge') {
      replyTooLarge(res, `Exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`);
      return this.settle(
        active,
        'error',
        errorDocument(errorType, 'the error document exceeded the payload limit'),
        errorType,
      );
    }
    replyAccepted(res);
    this.settle(active, 'error', errorBody(body, errorType), errorType);
  }

  private async postInitError(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, MAX_PAYLOAD_BYTES);
    if (body === 'aborted') return;
    if (this.initDone || !this.accepting) {
      return replyOutOfTurn(res, 'init/error is only valid before the first /next');
    }
    if (body === 'tooLarge') {
      return replyTooLarge(res, `Exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`);
    }
    const errorType = validErrorType(headerValue(req, RuntimeHeader.errorType));
    this.initError = { errorType, payload: errorBody(body, errorType) };
    this.accepting = false; // the environment failed; it will be replaced
    replyAccepted(res);
    this.emit('initError', this.initError);
    this.dispatch();
  }
}

/** Starts a Runtime API server for one execution environment. */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const server = createServer({ requestTimeout: 0, keepAliveTimeout: 60_000 });
  const emulator = new Emulator(server, options);
  server.on('request', (req, res) => {
    try {
      emulator.handle(req, res);
    } catch (error) {
      if (!res.headersSent) sendJson(res, 500, { errorType: 'InternalError', errorMessage: String(error) });
      else res.destroy();
    }
  });
  answerClientErrors(server);
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  return emulator;
}
