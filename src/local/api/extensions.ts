// The Lambda Extensions API (2020-01-01) of one execution environment: extensions register, wait for INVOKE
// and SHUTDOWN events on /event/next, and hold the environment until every one of them is ready again.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { drain, headerValue, readBody, sendJson } from './http.js';

export const EXTENSIONS_API_VERSION = '2020-01-01';
export const ExtensionPath = {
  register: `/${EXTENSIONS_API_VERSION}/extension/register`,
  next: `/${EXTENSIONS_API_VERSION}/extension/event/next`,
  initError: `/${EXTENSIONS_API_VERSION}/extension/init/error`,
  exitError: `/${EXTENSIONS_API_VERSION}/extension/exit/error`,
} as const;
/** tslambda's own path: the runtime names the extensions it started, so init waits for each to register. */
export const LAUNCHED_EXTENSIONS_PATH = '/tslambda/extensions/launched';
/** And names one that could not start or ended: it is no longer waited for. */
export const EXITED_EXTENSION_PATH = '/tslambda/extensions/exited';
/** Set by invoke-local: the folder whose executables the runtime starts as extensions before loading the handler. */
export { EXTENSIONS_DIR_ENV } from './extensions-dir.js';

export const ExtensionHeader = {
  name: 'lambda-extension-name',
  identifier: 'lambda-extension-identifier',
  eventIdentifier: 'lambda-extension-event-identifier',
  errorType: 'lambda-extension-function-error-type',
} as const;

export type ExtensionEventType = 'INVOKE' | 'SHUTDOWN';
export type ShutdownReason = 'spindown' | 'timeout' | 'failure';
/** Lambda gives external extensions 2 s to finish after SHUTDOWN. */
export const SHUTDOWN_GRACE_MS = 2000;

interface Registered {
  id: string;
  name: string;
  events: Set<ExtensionEventType>;
  /** Its parked /event/next, when it is waiting. */
  waiting?: ServerResponse;
  /** Events it has not yet been handed (one at most: Lambda sends the next only after /next). */
  pending: object[];
  /** Has called /event/next since its last event (or since registering). */
  ready: boolean;
}

export interface ExtensionsIdentity {
  functionName: string;
  functionArn: string;
  handler?: string;
}

export class ExtensionsApi {
  private readonly extensions = new Map<string, Registered>();
  /** Names the runtime launched that have not registered yet. */
  private expected = new Set<string>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly identity: ExtensionsIdentity;
  /** Called whenever the set may have become ready (the emulator dispatches then). */
  onChange: () => void = () => undefined;
  /** Errors extensions reported, for the environment's log. */
  onError: (kind: 'init' | 'exit', name: string, errorType: string) => void = () => undefined;

  constructor(identity: ExtensionsIdentity) {
    this.identity = identity;
  }

  /** Names of the extensions registered so far. */
  get names(): string[] {
    return [...this.extensions.values()].map((extension) => extension.name);
  }

  /** Every launched extension registered, and every registered one waits in /event/next. */
  get ready(): boolean {
    return this.expected.size === 0 && [...this.extensions.values()].every((extension) => extension.ready);
  }

  /** A new runtime process: forget the old extensions (they died with it). */
  reset(): void {
    for (const extension of this.extensions.values()) extension.waiting?.destroy();
    this.extensions.clear();
    this.expected.clear();
    this.releaseIdle();
  }

  /** Resolves once every extension is ready again (at once when none is busy). */
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** INVOKE to every extension that registered for it; they are busy until their next /event/next. */
  invoke(event: { requestId: string; deadlineMs: number; invokedFunctionArn: string; traceId: string }): void {
    this.send('INVOKE', {
      eventType: 'INVOKE',
      deadlineMs: event.deadlineMs,
      requestId: event.requestId,
      invokedFunctionArn: event.invokedFunctionArn,
      tracing: { type: 'X-Amzn-Trace-Id', value: event.traceId },
    });
  }

  /** SHUTDOWN with its deadline; resolves when every subscriber called /event/next again, or at the deadline. */
  async shutdown(reason: ShutdownReason, graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
    this.expected.clear();
    if (![...this.extensions.values()].some((extension) => extension.events.has('SHUTDOWN'))) return;
    this.send('SHUTDOWN', { eventType: 'SHUTDOWN', shutdownReason: reason, deadlineMs: Date.now() + graceMs });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.whenReady(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Routes one request under /2020-01-01/extension/ (and tslambda's launched list); false when not ours. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const route = {
      [ExtensionPath.register]: ['POST', () => this.register(req, res)],
      [ExtensionPath.next]: ['GET', () => this.next(req, res)],
      [ExtensionPath.initError]: ['POST', () => this.reportError('init', req, res)],
      [ExtensionPath.exitError]: ['POST', () => this.reportError('exit', req, res)],
      [LAUNCHED_EXTENSIONS_PATH]: ['POST', () => this.launched(req, res)],
      [EXITED_EXTENSION_PATH]: ['POST', () => this.exited(req, res)],
    }[path] as [string, () => Promise<void> | void] | undefined;
    if (!route) return false;
    if (req.method !== route[0]) {
      drain(req);
      sendJson(res, 405, { errorMessage: `${req.method} is not allowed on ${path}`, errorType: 'MethodNotAllowed' });
      return true;
    }
    void route[1]();
    return true;
  }

  /** The extension a request names in Lambda-Extension-Identifier, or a 403 as Lambda answers. */
  identify(req: IncomingMessage, res: ServerResponse): Registered | undefined {
    const id = headerValue(req, ExtensionHeader.identifier);
    const extension = id === undefined ? undefined : this.extensions.get(id);
    if (extension) return extension;
    drain(req);
    sendJson(res, 403, {
      errorMessage: id === undefined ? 'missing Lambda-Extension-Identifier header' : `unknown extension ${id}`,
      errorType: 'Extension.Unknown',
    });
    return undefined;
  }

  private send(type: ExtensionEventType, event: object): void {
    for (const extension of this.extensions.values()) {
      if (!extension.events.has(type)) continue;
      extension.ready = false;
      extension.pending.push(event);
      this.deliver(extension);
    }
  }

  private deliver(extension: Registered): void {
    const res = extension.waiting;
    if (!res || extension.pending.length === 0) return;
    extension.waiting = undefined;
    const event = extension.pending.shift()!;
    sendJson(res, 200, event, { [ExtensionHeader.eventIdentifier]: randomUUID() });
  }

  private async register(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const name = headerValue(req, ExtensionHeader.name);
    const body = await readBody(req, 64 * 1024);
    if (body === 'aborted') return;
    const events = parseEvents(body === 'tooLarge' ? undefined : body);
    if (!name || !events) {
      return sendJson(res, 400, {
        errorMessage: !name
          ? 'missing Lambda-Extension-Name header'
          : 'the body must be {"events": [...]} with INVOKE and/or SHUTDOWN',
        errorType: 'InvalidRequest',
      });
    }
    const id = randomUUID();
    this.extensions.set(id, { id, name, events: new Set(events), pending: [], ready: false });
    this.expected.delete(name);
    sendJson(
      res,
      200,
      { functionName: this.identity.functionName, functionVersion: '$LATEST', handler: this.identity.handler ?? '' },
      { [ExtensionHeader.identifier]: id },
    );
    this.onChange();
  }

  private next(req: IncomingMessage, res: ServerResponse): void {
    const extension = this.identify(req, res);
    if (!extension) return;
    drain(req);
    extension.waiting?.destroy();
    extension.waiting = res;
    res.on('close', () => {
      if (extension.waiting === res) extension.waiting = undefined;
    });
    if (extension.pending.length > 0) return this.deliver(extension);
    extension.ready = true;
    this.changed();
  }

  private async reportError(kind: 'init' | 'exit', req: IncomingMessage, res: ServerResponse): Promise<void> {
    const extension = this.identify(req, res);
    if (!extension) return;
    const body = await readBody(req, 64 * 1024);
    if (body === 'aborted') return;
    const errorType = headerValue(req, ExtensionHeader.errorType) ?? 'Extension.Unknown';
    this.onError(kind, extension.name, errorType);
    // It will not call /event/next again: the environment must not wait for it.
    this.extensions.delete(extension.id);
    sendJson(res, 202, { status: 'OK' });
    this.changed();
  }

  private async launched(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, 64 * 1024);
    if (body === 'aborted') return;
    const names = parseNames(body === 'tooLarge' ? undefined : body);
    const registered = new Set(this.names);
    this.expected = new Set(names.filter((name) => !registered.has(name)));
    sendJson(res, 202, { status: 'OK' });
    this.changed();
  }

  /** An extension process that could not start or ended: neither init nor invocations wait for it. */
  private async exited(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, 64 * 1024);
    if (body === 'aborted') return;
    const name = body === 'tooLarge' ? undefined : parseName(body);
    if (name !== undefined) {
      this.expected.delete(name);
      for (const extension of this.extensions.values())
        if (extension.name === name) this.extensions.delete(extension.id);
    }
    sendJson(res, 202, { status: 'OK' });
    this.changed();
  }

  private changed(): void {
    if (this.ready) this.releaseIdle();
    this.onChange();
  }

  private releaseIdle(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

function parseEvents(body: Buffer | undefined): ExtensionEventType[] | undefined {
  try {
    const parsed = JSON.parse(body?.toString() ?? '') as { events?: unknown };
    const events = parsed.events;
    if (!Array.isArray(events) || !events.every((event) => event === 'INVOKE' || event === 'SHUTDOWN'))
      return undefined;
    return events as ExtensionEventType[];
  } catch {
    return undefined;
  }
}

function parseName(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString()) as { name?: unknown };
    return typeof parsed.name === 'string' ? parsed.name : undefined;
  } catch {
    return undefined;
  }
}

function parseNames(body: Buffer | undefined): string[] {
  try {
    const parsed = JSON.parse(body?.toString() ?? '') as { names?: unknown };
    return Array.isArray(parsed.names) ? parsed.names.filter((name) => typeof name === 'string') : [];
  } catch {
    return [];
  }
}
