// The Lambda Telemetry API (2022-07-01) of one execution environment: extensions subscribe with
// `PUT /2022-07-01/telemetry`, and platform and function records reach each subscriber in batched HTTP POSTs.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';
import { readBody, sendJson } from './http.js';

export const TELEMETRY_PATH = '/2022-07-01/telemetry';
export const TELEMETRY_SCHEMA_VERSIONS = ['2022-07-01', '2022-12-13', '2025-01-29'] as const;
export type TelemetryType = 'platform' | 'function' | 'extension';

/** Lambda's limits and defaults for `buffering`. */
export const BufferingLimits = {
  maxItems: { min: 25, max: 10_000, default: 1000 },
  maxBytes: { min: 256 * 1024, max: 1024 * 1024, default: 256 * 1024 },
  timeoutMs: { min: 25, max: 30_000, default: 1000 },
} as const;

const HISTORY_KEPT = 1000;

export interface TelemetryRecord {
  time: string;
  type: string;
  record: unknown;
}

interface Subscriber {
  extensionName: string;
  url: URL;
  types: Set<TelemetryType>;
  buffering: { maxItems: number; maxBytes: number; timeoutMs: number };
  batch: TelemetryRecord[];
  bytes: number;
  timer?: NodeJS.Timeout;
  /** POSTs in flight, awaited by flush(). */
  sending: Set<Promise<void>>;
}

export interface SubscribeRequest {
  schemaVersion?: unknown;
  destination?: { protocol?: unknown; URI?: unknown };
  types?: unknown;
  buffering?: { maxItems?: unknown; maxBytes?: unknown; timeoutMs?: unknown };
}

export class TelemetryApi {
  private readonly subscribers = new Map<string, Subscriber>();
  /** This environment's records so far: a subscriber that joins during init still gets platform.initStart. */
  private readonly history: Array<[TelemetryType, TelemetryRecord]> = [];
  /** Where `sandbox.localdomain` (the name Lambda gives the environment) points from the emulator. */
  private readonly sandboxHost: string;

  constructor(options: { sandboxHost?: string } = {}) {
    this.sandboxHost = options.sandboxHost ?? '127.0.0.1';
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** `PUT /2022-07-01/telemetry` from the extension `extensionName` (already identified). */
  async subscribe(extensionName: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, 64 * 1024);
    if (body === 'aborted') return;
    let parsed: SubscribeRequest = {};
    try {
      parsed = JSON.parse(body === 'tooLarge' ? '' : body.toString()) as SubscribeRequest;
    } catch {
      // reported below as a missing field
    }
    const problem = subscriptionProblem(parsed);
    if (problem) return sendJson(res, 400, { errorMessage: problem, errorType: 'ValidationError' });
    const url = new URL(String(parsed.destination!.URI));
    if (url.hostname === 'sandbox.localdomain' || url.hostname === 'sandbox') url.hostname = this.sandboxHost;
    const buffering = parsed.buffering ?? {};
    const pick = (key: keyof typeof BufferingLimits) =>
      typeof buffering[key] === 'number' ? buffering[key] : BufferingLimits[key].default;
    const types = new Set(parsed.types as TelemetryType[]);
    clearTimeout(this.subscribers.get(extensionName)?.timer);
    this.subscribers.set(extensionName, {
      extensionName,
      url,
      types,
      buffering: { maxItems: pick('maxItems'), maxBytes: pick('maxBytes'), timeoutMs: pick('timeoutMs') },
      batch: [],
      bytes: 0,
      sending: new Set(),
    });
    const subscriber = this.subscribers.get(extensionName)!;
    for (const [kind, record] of this.history) this.addTo(subscriber, kind, record);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('OK');
    this.platform('platform.telemetrySubscription', { name: extensionName, state: 'Subscribed', types: [...types] });
  }

  /** A platform record (platform.start, platform.runtimeDone, platform.report, …). */
  platform(type: `platform.${string}`, record: object): void {
    this.add('platform', { time: new Date().toISOString(), type, record });
  }

  /** The function's output, one record per line. */
  functionOutput(chunk: Buffer): void {
    if (this.subscribers.size === 0) return;
    const time = new Date().toISOString();
    for (const line of chunk.toString('utf8').split('\n'))
      if (line !== '') this.add('function', { time, type: 'function', record: line });
  }

  /** Sends every buffered record now and waits for the POSTs (before SHUTDOWN ends the environment). */
  async flush(): Promise<void> {
    for (const subscriber of this.subscribers.values()) this.send(subscriber);
    await Promise.all([...this.subscribers.values()].flatMap((subscriber) => [...subscriber.sending]));
  }

  /** Drops every subscription (the environment is replaced). */
  reset(): void {
    for (const subscriber of this.subscribers.values()) clearTimeout(subscriber.timer);
    this.subscribers.clear();
    this.history.length = 0;
  }

  private add(kind: TelemetryType, record: TelemetryRecord): void {
    if (this.history.length < HISTORY_KEPT) this.history.push([kind, record]);
    for (const subscriber of this.subscribers.values()) this.addTo(subscriber, kind, record);
  }

  private addTo(subscriber: Subscriber, kind: TelemetryType, record: TelemetryRecord): void {
    if (!subscriber.types.has(kind)) return;
    subscriber.batch.push(record);
    subscriber.bytes += Buffer.byteLength(JSON.stringify(record));
    if (subscriber.batch.length >= subscriber.buffering.maxItems || subscriber.bytes >= subscriber.buffering.maxBytes)
      this.send(subscriber);
    else subscriber.timer ??= setTimeout(() => this.send(subscriber), subscriber.buffering.timeoutMs);
  }

  private send(subscriber: Subscriber): void {
    clearTimeout(subscriber.timer);
    subscriber.timer = undefined;
    if (subscriber.batch.length === 0) return;
    const body = JSON.stringify(subscriber.batch.splice(0));
    subscriber.bytes = 0;
    const sending = post(subscriber.url, body).finally(() => subscriber.sending.delete(sending));
    subscriber.sending.add(sending);
  }
}

/** One POST of a JSON array; a subscriber that cannot be reached loses the batch, as on Lambda after retries. */
function post(url: URL, body: string): Promise<void> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', resolve);
        res.on('error', () => resolve());
      },
    );
    req.setTimeout(5000, () => req.destroy());
    req.on('error', () => resolve());
    req.end(body);
  });
}

/** What is wrong with a subscription request, in Lambda's terms, or undefined. */
export function subscriptionProblem(request: SubscribeRequest): string | undefined {
  if (!TELEMETRY_SCHEMA_VERSIONS.includes(request.schemaVersion as (typeof TELEMETRY_SCHEMA_VERSIONS)[number]))
    return `schemaVersion must be one of ${TELEMETRY_SCHEMA_VERSIONS.join(', ')}`;
  const destination = request.destination;
  if (destination?.protocol !== 'HTTP') return 'destination.protocol must be "HTTP" (TCP is not emulated)';
  if (typeof destination.URI !== 'string' || !URL.canParse(destination.URI) || !destination.URI.startsWith('http://'))
    return 'destination.URI must be an http:// URL';
  const types = request.types;
  if (
    !Array.isArray(types) ||
    types.length === 0 ||
    !types.every((type) => type === 'platform' || type === 'function' || type === 'extension')
  )
    return 'types must list "platform", "function" and/or "extension"';
  for (const key of Object.keys(BufferingLimits) as Array<keyof typeof BufferingLimits>) {
    const value = request.buffering?.[key];
    const { min, max } = BufferingLimits[key];
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < min || (value as number) > max))
      return `buffering.${key} must be an integer from ${min} to ${max}`;
  }
  return undefined;
}
