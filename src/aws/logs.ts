// CloudWatch Logs for a function: where its logs live, reading a time range, and following them (Live Tail, else polling).
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  StartLiveTailCommand,
  type StartLiveTailResponseStream,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetAliasCommand, GetFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, UserError } from '../core/errors.js';
import { sdkSettings } from './clients.js';
import { awsCall, awsErrorCode, toAwsUserError } from './errors.js';

export interface LogEvent {
  timestamp: number;
  message: string;
  logStreamName: string;
  ingestionTime?: number;
}

/** Which events to read: one log group, optionally narrowed to some versions' streams and a filter pattern. */
export interface LogSource {
  group: string;
  groupArn: string;
  /** Versions whose streams (`YYYY/MM/DD/[version]id`) to keep; all streams when undefined. */
  versions?: string[];
  filterPattern?: string;
}

/**
 * The SDK sends StartLiveTail to `stream-<host>`; an endpoint override (AWS_ENDPOINT_URL, a local emulator) is one
 * host, so the prefix is dropped there, as AWS's own guidance for custom endpoints says.
 */
export function createLogsClient(target: {
  env: NodeJS.ProcessEnv;
  region?: string;
  profile?: string;
}): CloudWatchLogsClient {
  const settings = sdkSettings(target, 'CLOUDWATCH_LOGS');
  // No deadline or silence bound here: a Live Tail session stays open and quiet for minutes by design.
  return new CloudWatchLogsClient({ ...settings, ...(settings.endpoint ? { disableHostPrefix: true } : {}) });
}

/** The version a stream belongs to: Lambda names streams `2026/12/01/[$LATEST]0123abcd`. */
export const streamVersion = (stream: string): string | undefined => /\[([^\]]+)\]/.exec(stream)?.[1];

/**
 * The function's log group (LoggingConfig.LogGroup, else /aws/lambda/<name>) and, for a qualifier, the versions
 * it runs: a version itself, or an alias's version plus any weighted one (RoutingConfig).
 */
export async function resolveLogSource(
  lambda: LambdaClient,
  name: string,
  qualifier: string | undefined,
  filterPattern: string | undefined,
): Promise<LogSource & { logFormat?: string }> {
  const fn = await awsCall(`GetFunction ${name}`, () => lambda.send(new GetFunctionCommand({ FunctionName: name })));
  const config = fn.Configuration ?? {};
  const group = config.LoggingConfig?.LogGroup ?? `/aws/lambda/${config.FunctionName ?? name}`;
  // arn:aws:lambda:region:account:function:name → arn:aws:logs:region:account:log-group:group
  const [, partition, , region, account] = (config.FunctionArn ?? '').split(':');
  const groupArn = `arn:${partition ?? 'aws'}:logs:${region}:${account}:log-group:${group}`;
  let versions: string[] | undefined;
  if (qualifier !== undefined)
    versions = /^(\$LATEST|\d+)$/.test(qualifier) ? [qualifier] : await aliasVersions(lambda, name, qualifier);
  return { group, groupArn, versions, filterPattern, logFormat: config.LoggingConfig?.LogFormat };
}

async function aliasVersions(lambda: LambdaClient, name: string, alias: string): Promise<string[]> {
  try {
    const found = await lambda.send(new GetAliasCommand({ FunctionName: name, Name: alias }));
    return [found.FunctionVersion!, ...Object.keys(found.RoutingConfig?.AdditionalVersionWeights ?? {})];
  } catch (error) {
    if (awsErrorCode(error) !== 'ResourceNotFoundException')
      return awsCall(`GetAlias ${name}:${alias}`, () => Promise.reject(error));
    throw new UserError(`--qualifier ${alias} is neither a version of ${name} nor one of its aliases`, {
      exitCode: ExitCode.usage,
      hint: 'pass a version number, $LATEST, or an alias name (`aws lambda list-aliases` lists them)',
    });
  }
}

const keep = (source: LogSource) => (event: LogEvent) =>
  !source.versions || source.versions.includes(streamVersion(event.logStreamName) ?? '');

/** FilterLogEvents over [startTime, endTime], every page, in time order. */
export async function readLogs(
  client: CloudWatchLogsClient,
  source: LogSource,
  range: { startTime: number; endTime?: number; signal?: AbortSignal },
): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client
      .send(
        new FilterLogEventsCommand({
          logGroupIdentifier: source.groupArn,
          startTime: range.startTime,
          endTime: range.endTime,
          filterPattern: source.filterPattern,
          nextToken,
        }),
        { abortSignal: range.signal },
      )
      .catch((error: unknown) => {
        // Lambda creates the group on the function's first log line: until then there is nothing to read.
        if (awsErrorCode(error) === 'ResourceNotFoundException') return { events: [], nextToken: undefined };
        // Ctrl-C is not an AWS failure: the abort goes up as it is, and the CLI exits 130.
        throw range.signal?.aborted ? error : toAwsUserError(error, `FilterLogEvents ${source.group}`);
      });
    for (const e of page.events ?? [])
      events.push({
        timestamp: e.timestamp ?? 0,
        message: e.message ?? '',
        logStreamName: e.logStreamName ?? '',
        ingestionTime: e.ingestionTime,
      });
    nextToken = page.nextToken;
  } while (nextToken);
  return events.filter(keep(source)).sort((a, b) => a.timestamp - b.timestamp);
}

export interface FollowOptions {
  startTime: number;
  signal: AbortSignal;
  onEvents: (events: LogEvent[]) => void;
  /** One line for the user: Live Tail refused, a session reopened. */
  notice: (line: string) => void;
  debug?: (line: string) => void;
  /** Bounds of the polling interval when Live Tail is refused: it grows while nothing arrives. */
  pollMs?: { min: number; max: number };
}

/** Errors that mean "this account or endpoint will not give Live Tail": follow by polling instead. */
const REFUSED = /AccessDenied|UnknownOperation|UnrecognizedClient|InvalidOperation|NotImplemented|LimitExceeded/;
/** How far back each reopened session re-reads, for events whose timestamp is older than their arrival. */
const OVERLAP_MS = 5000;

/**
 * Prints each event once, in arrival order within time order: every Live Tail session is backed by a FilterLogEvents
 * read of the gap before it, and the two are merged by event identity, so a session that times out loses nothing.
 */
export async function followLogs(
  client: CloudWatchLogsClient,
  source: LogSource,
  options: FollowOptions,
): Promise<void> {
  const seen = new SeenEvents();
  const emit = (events: LogEvent[]) => {
    const fresh = events.filter(keep(source)).filter((e) => seen.add(e));
    if (fresh.length > 0) options.onEvents(fresh);
  };
  let from = options.startTime;
  let waitingForGroup = false;
  while (!options.signal.aborted) {
    let stream: AsyncIterable<StartLiveTailResponseStream>;
    try {
      stream = await openLiveTail(client, source, options.signal);
    } catch (error) {
      if (options.signal.aborted) return;
      const code = awsErrorCode(error) ?? (error as { code?: string }).code ?? '';
      if (code === 'ResourceNotFoundException') {
        // Lambda creates the group on the function's first log line: wait for it.
        if (!waitingForGroup)
          options.notice(`log group ${source.group} does not exist yet (nothing logged so far); waiting for it`);
        waitingForGroup = true;
        await sleep(options.pollMs?.min ?? 1000, undefined, { signal: options.signal }).catch(() => undefined);
        continue;
      }
      if (!REFUSED.test(code) && code !== 'ENOTFOUND') throw awsFailure(error, source);
      options.notice(`Live Tail is not available here (${code}); polling FilterLogEvents instead`);
      return poll(client, source, { ...options, startTime: from }, emit);
    }
    emit(await readLogs(client, source, { startTime: from, signal: options.signal }));
    try {
      for await (const message of stream) {
        if (message.sessionStart) options.debug?.(`Live Tail session ${message.sessionStart.sessionId} started`);
        const results = message.sessionUpdate?.sessionResults ?? [];
        if (message.sessionUpdate?.sessionMetadata?.sampled)
          options.debug?.('Live Tail sampled this update (more than 500 events per second)');
        emit(
          results.map((r) => ({
            timestamp: r.timestamp ?? 0,
            message: r.message ?? '',
            logStreamName: r.logStreamName ?? '',
            ingestionTime: r.ingestionTime,
          })),
        );
      }
    } catch (error) {
      if (options.signal.aborted) return;
      const code = (error as { name?: string }).name ?? '';
      if (code !== 'SessionTimeoutException' && code !== 'SessionStreamingException') throw awsFailure(error, source);
      options.debug?.(`Live Tail session ended (${code}); reopening`);
    }
    from = Math.max(options.startTime, seen.latest - OVERLAP_MS);
  }
}

async function openLiveTail(
  client: CloudWatchLogsClient,
  source: LogSource,
  signal: AbortSignal,
): Promise<AsyncIterable<StartLiveTailResponseStream>> {
  const response = await client.send(
    new StartLiveTailCommand({ logGroupIdentifiers: [source.groupArn], logEventFilterPattern: source.filterPattern }),
    { abortSignal: signal },
  );
  if (!response.responseStream) throw new Error('StartLiveTail answered without an event stream');
  return response.responseStream;
}

const awsFailure = (error: unknown, source: LogSource): UserError =>
  toAwsUserError(error, `StartLiveTail ${source.group}`);

async function poll(
  client: CloudWatchLogsClient,
  source: LogSource,
  options: FollowOptions,
  emit: (events: LogEvent[]) => void,
): Promise<void> {
  const { min, max } = options.pollMs ?? { min: 1000, max: 5000 };
  let from = options.startTime;
  let delay = min;
  const seen = { latest: from };
  while (!options.signal.aborted) {
    const events = await readLogs(client, source, { startTime: from, signal: options.signal }).catch(
      (error: unknown) => {
        if (options.signal.aborted) return [];
        throw error;
      },
    );
    emit(events);
    for (const e of events) seen.latest = Math.max(seen.latest, e.timestamp);
    from = Math.max(options.startTime, seen.latest - OVERLAP_MS);
    delay = events.length > 0 ? min : Math.min(max, delay * 2);
    await sleep(delay, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

/** Identities of the events printed in the recent window; older ones are forgotten, no read reaches back that far. */
class SeenEvents {
  latest = 0;
  private readonly keys = new Map<string, number>();

  add(event: LogEvent): boolean {
    // Live Tail results carry no eventId; stream, time and text identify an event in both APIs.
    const key = `${event.logStreamName}\u0000${event.timestamp}\u0000${event.message}`;
    if (this.keys.has(key)) return false;
    this.keys.set(key, event.timestamp);
    this.latest = Math.max(this.latest, event.timestamp);
    if (this.keys.size > 10_000)
      for (const [k, t] of this.keys) if (t < this.latest - 4 * OVERLAP_MS) this.keys.delete(k);
    return true;
  }
}
