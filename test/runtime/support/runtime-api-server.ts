// A Runtime API (2018-06-01) test server: hands queued events to the runtime under test on /next, records exactly
// what reaches it (method, path, headers, body bytes, trailers) and resolves each invocation with what was posted.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const BASE = '/2018-06-01/runtime';
export const SIX_MB = 6 * 1024 * 1024;

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Header names exactly as sent, in order. */
  rawHeaderNames: string[];
  body: Buffer;
  trailers: Record<string, string | undefined>;
}

export interface Outcome extends Received {
  kind: 'response' | 'error';
  requestId: string;
}

interface Pending {
  requestId: string;
  event: Buffer;
  headers: Record<string, string>;
  resolve: (outcome: Outcome) => void;
  outcomes: Outcome[];
}

export interface ServerOptions {
  /** Body size above which /response answers 413 (the Lambda limit by default). */
  maxResponseBytes?: number;
  /** Status to answer posts with, e.g. 500 to break the environment. */
  postStatus?: number;
}

export class RuntimeApiServer {
  readonly received: Received[] = [];
  /** Requests to paths the Runtime API does not have. */
  readonly unexpected: Received[] = [];
  private readonly queue: Pending[] = [];
  private readonly byId = new Map<string, Pending>();
  private readonly waitingNext: http.ServerResponse[] = [];
  private nextWaiters: Array<() => void> = [];
  private initErrorWaiters: Array<(r: Received) => void> = [];
  private counter = 0;
  initError: Received | undefined;

  private constructor(
    private readonly server: http.Server,
    private readonly options: ServerOptions,
  ) {}

  static async start(options: ServerOptions = {}): Promise<RuntimeApiServer> {
    const server = http.createServer();
    const api = new RuntimeApiServer(server, options);
    server.on('request', (req, res) => api.onRequest(req, res));
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get address(): string {
    const { port } = this.server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  /** Queues an invocation; resolves with the first /response or /error posted for it. */
  invoke(event: unknown, headers: Record<string, string> = {}): Promise<Outcome> {
    return this.invokeAll(event, headers, 1).then((all) => all[0]);
  }

  /** Queues an invocation and waits for `count` posts for it (e.g. a 413 /response followed by its /error). */
  invokeAll(event: unknown, headers: Record<string, string> = {}, count = 2): Promise<Outcome[]> {
    const requestId = headers['Lambda-Runtime-Aws-Request-Id'] ?? `req-${++this.counter}-${Date.now().toString(36)}`;
    const body = Buffer.isBuffer(event) ? event : Buffer.from(JSON.stringify(event));
    return new Promise((resolve) => {
      const outcomes: Outcome[] = [];
      const pending: Pending = {
        requestId,
        event: body,
        headers: {
          'Lambda-Runtime-Aws-Request-Id': requestId,
          'Lambda-Runtime-Deadline-Ms': String(Date.now() + 30_000),
          'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:123456789012:function:test',
          ...headers,
        },
        outcomes,
        resolve: (outcome) => {
          outcomes.push(outcome);
          if (outcomes.length === count) resolve(outcomes);
        },
      };
      this.byId.set(requestId, pending);
      const waiting = this.waitingNext.shift();
      if (waiting) this.deliver(waiting, pending);
      else this.queue.push(pending);
    });
  }

  /** Resolves once the runtime is blocked on /next (it finished initialising, or its previous invocation). */
  whenWaitingForNext(): Promise<void> {
    if (this.waitingNext.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.nextWaiters.push(resolve));
  }

  whenInitError(): Promise<Received> {
    if (this.initError) return Promise.resolve(this.initError);
    return new Promise((resolve) => this.initErrorWaiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const res of this.waitingNext) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private deliver(res: http.ServerResponse, pending: Pending): void {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': pending.event.length,
      ...pending.headers,
    });
    res.end(pending.event);
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawHeaderNames: req.rawHeaders.filter((_, i) => i % 2 === 0),
        body: Buffer.concat(chunks),
        trailers: { ...req.trailers },
      };
      this.received.push(received);
      this.route(received, res);
    });
  }

  private route(received: Received, res: http.ServerResponse): void {
    const { method, path } = received;
    if (method === 'GET' && path === `${BASE}/invocation/next`) {
      const pending = this.queue.shift();
      if (pending) return this.deliver(res, pending);
      this.waitingNext.push(res);
      const waiters = this.nextWaiters;
      this.nextWaiters = [];
      for (const w of waiters) w();
      return;
    }
    if (method === 'POST' && path === `${BASE}/init/error`) {
      this.initError = received;
      for (const w of this.initErrorWaiters) w(received);
      return this.answer(res, this.options.postStatus ?? 202, { status: 'OK' });
    }
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (method === 'POST' && match) {
      const pending = this.byId.get(decodeURIComponent(match[1]));
      if (!pending) return this.answer(res, 400, { errorType: 'InvalidRequestID', errorMessage: 'unknown request id' });
      const kind = match[2] as 'response' | 'error';
      const limit = this.options.maxResponseBytes ?? SIX_MB;
      const streaming = received.headers['lambda-runtime-function-response-mode'] === 'streaming';
      const status =
        this.options.postStatus ?? (kind === 'response' && !streaming && received.body.length > limit ? 413 : 202);
      pending.resolve({ ...received, kind, requestId: pending.requestId });
      if (status === 413) {
        return this.answer(res, 413, {
          errorMessage: `Exceeded maximum allowed payload size (${limit} bytes).`,
          errorType: 'RequestEntityTooLarge',
        });
      }
      return this.answer(res, status, { status: 'OK' });
    }
    this.unexpected.push(received);
    this.answer(res, 404, { errorMessage: `no such endpoint: ${method} ${path}` });
  }

  private answer(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }
}
