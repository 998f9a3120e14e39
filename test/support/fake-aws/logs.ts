// The fake CloudWatch Logs: log groups tests append to, FilterLogEvents with pagination, StartLiveTail as a real event stream.
import type { ServerResponse } from 'node:http';
import { eventMessage, exceptionMessage } from './event-stream.js';
import { AwsFault, type Reply } from './protocol.js';

export const LOGS_TARGET_PREFIX = 'Logs_20140328.';

export interface FakeLogEvent {
  logStreamName: string;
  timestamp: number;
  message: string;
  ingestionTime: number;
  eventId: string;
}

interface LiveSession {
  id: string;
  res: ServerResponse;
  groups: string[];
  streams?: string[];
  prefixes?: string[];
  pattern?: string;
}

export interface LogsBehaviour {
  /** Events per FilterLogEvents page, small so that every test crosses pages. */
  pageSize: number;
  /** Milliseconds between the empty sessionUpdate heartbeats Live Tail sends when nothing arrives. */
  heartbeatMs: number;
}

/**
 * Filter patterns as CloudWatch reads unstructured text: every plain term must appear, `"quoted phrase"` as a
 * whole, `?term` terms are alternatives (any one), `-term` excludes. JSON patterns (`{ $.x = 1 }`) are not modelled.
 */
export function matchesPattern(pattern: string | undefined, message: string): boolean {
  if (!pattern || !pattern.trim()) return true;
  if (pattern.trim().startsWith('{'))
    throw new AwsFault(400, 'InvalidParameterException', 'JSON filter patterns are not modelled by the fake');
  const terms = pattern.match(/[?-]?"[^"]*"|\S+/g) ?? [];
  const text = (term: string) => term.replace(/^[?-]/, '').replace(/^"(.*)"$/, '$1');
  const optional = terms.filter((t) => t.startsWith('?'));
  const excluded = terms.filter((t) => t.startsWith('-'));
  const required = terms.filter((t) => !t.startsWith('?') && !t.startsWith('-'));
  if (excluded.some((t) => message.includes(text(t)))) return false;
  if (!required.every((t) => message.includes(text(t)))) return false;
  return optional.length === 0 || optional.some((t) => message.includes(text(t)));
}

export class FakeLogs {
  static readonly operations = ['FilterLogEvents', 'StartLiveTail'];
  readonly groups = new Map<string, FakeLogEvent[]>();
  readonly sessions = new Set<LiveSession>();
  readonly behaviour: LogsBehaviour = { pageSize: 3, heartbeatMs: 1000 };
  /** How many Live Tail sessions were opened since the last reset. */
  sessionsOpened = 0;
  private nextId = 1;
  private heartbeat?: NodeJS.Timeout;

  constructor(readonly options: { region: string; accountId: string }) {}

  groupArn(name: string): string {
    return `arn:aws:logs:${this.options.region}:${this.options.accountId}:log-group:${name}`;
  }

  createLogGroup(name: string): void {
    if (!this.groups.has(name)) this.groups.set(name, []);
  }

  /** What Lambda does when the function writes: events land in the group (created if missing) and reach open Live Tail sessions. */
  append(group: string, logStreamName: string, messages: string | string[], timestamp = Date.now()): FakeLogEvent[] {
    this.createLogGroup(group);
    const events = (Array.isArray(messages) ? messages : [messages]).map((message) => ({
      logStreamName,
      timestamp,
      message,
      ingestionTime: Date.now(),
      eventId: String(this.nextId++).padStart(56, '0'),
    }));
    this.groups.get(group)!.push(...events);
    for (const session of this.sessions) this.deliver(session, group, events);
    return events;
  }

  /** Ends every open Live Tail session with SessionTimeoutException, as AWS does after three hours. */
  timeoutLiveTail(): number {
    const open = [...this.sessions];
    for (const session of open) {
      session.res.end(
        exceptionMessage(
          'SessionTimeoutException',
          'Session timed out after 3 hours. Start a new session to continue.',
        ),
      );
      this.sessions.delete(session);
    }
    return open.length;
  }

  reset(): void {
    for (const session of this.sessions) session.res.destroy();
    this.sessions.clear();
    this.groups.clear();
    this.sessionsOpened = 0;
    Object.assign(this.behaviour, { pageSize: 3, heartbeatMs: 1000 });
  }

  private groupName(identifier: unknown, field: string): string {
    if (typeof identifier !== 'string' || !identifier)
      throw new AwsFault(400, 'InvalidParameterException', `${field} is required`);
    const prefix = `arn:aws:logs:${this.options.region}:${this.options.accountId}:log-group:`;
    const name = identifier.startsWith('arn:')
      ? identifier.startsWith(prefix) && !identifier.endsWith('*')
        ? identifier.slice(prefix.length)
        : undefined
      : identifier;
    if (name === undefined)
      throw new AwsFault(
        400,
        'InvalidParameterException',
        `${field} ${identifier} is not a log group ARN of this account and region`,
      );
    if (!this.groups.has(name))
      throw new AwsFault(400, 'ResourceNotFoundException', 'The specified log group does not exist.');
    return name;
  }

  filterLogEvents(input: Record<string, unknown>): Reply {
    const group = this.groupName(input.logGroupName ?? input.logGroupIdentifier, 'logGroupName');
    const streams = input.logStreamNames as string[] | undefined;
    const prefix = input.logStreamNamePrefix as string | undefined;
    const start = input.startTime as number | undefined;
    const end = input.endTime as number | undefined;
    const matching = this.groups
      .get(group)!
      .filter((e) => (start === undefined || e.timestamp >= start) && (end === undefined || e.timestamp <= end))
      .filter((e) => (!streams || streams.includes(e.logStreamName)) && (!prefix || e.logStreamName.startsWith(prefix)))
      .filter((e) => matchesPattern(input.filterPattern as string | undefined, e.message))
      .sort((a, b) => a.timestamp - b.timestamp || Number(a.eventId) - Number(b.eventId));
    // The token is the offset into this ordered result; AWS's is opaque, and clients must only pass it back.
    const offset =
      typeof input.nextToken === 'string' ? Number(Buffer.from(input.nextToken, 'base64url').toString()) : 0;
    const size = Math.min(this.behaviour.pageSize, typeof input.limit === 'number' ? input.limit : Infinity);
    const page = matching.slice(offset, offset + size);
    const nextToken =
      offset + size < matching.length ? Buffer.from(String(offset + size)).toString('base64url') : undefined;
    return { status: 200, body: { events: page, searchedLogStreams: [], ...(nextToken ? { nextToken } : {}) } };
  }

  /** Opens a session and answers with an event stream; throws an AwsFault (answered as JSON) when the request is refused. */
  startLiveTail(input: Record<string, unknown>, res: ServerResponse): void {
    const identifiers = input.logGroupIdentifiers;
    if (!Array.isArray(identifiers) || identifiers.length === 0)
      throw new AwsFault(400, 'InvalidParameterException', 'logGroupIdentifiers is required');
    for (const id of identifiers)
      if (typeof id !== 'string' || !id.startsWith('arn:'))
        throw new AwsFault(400, 'InvalidParameterException', 'Each logGroupIdentifier must be a log group ARN');
    const groups = identifiers.map((id) => this.groupName(id, 'logGroupIdentifier'));
    const session: LiveSession = {
      id: crypto.randomUUID(),
      res,
      groups,
      streams: input.logStreamNames as string[] | undefined,
      prefixes: input.logStreamNamePrefixes as string[] | undefined,
      pattern: input.logEventFilterPattern as string | undefined,
    };
    res.writeHead(200, {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-requestid': crypto.randomUUID(),
    });
    res.write(
      eventMessage('sessionStart', {
        requestId: crypto.randomUUID(),
        sessionId: session.id,
        logGroupIdentifiers: identifiers,
        logStreamNames: session.streams,
        logStreamNamePrefixes: session.prefixes,
        logEventFilterPattern: session.pattern,
      }),
    );
    this.sessions.add(session);
    this.sessionsOpened += 1;
    res.on('close', () => this.sessions.delete(session));
    this.heartbeat ??= setInterval(() => {
      for (const open of this.sessions)
        open.res.write(eventMessage('sessionUpdate', { sessionMetadata: { sampled: false }, sessionResults: [] }));
    }, this.behaviour.heartbeatMs).unref();
  }

  private deliver(session: LiveSession, group: string, events: FakeLogEvent[]): void {
    if (!session.groups.includes(group)) return;
    const results = events
      .filter(
        (e) =>
          (!session.streams || session.streams.includes(e.logStreamName)) &&
          (!session.prefixes || session.prefixes.some((p) => e.logStreamName.startsWith(p))),
      )
      .filter((e) => matchesPattern(session.pattern, e.message))
      .map(({ logStreamName, timestamp, message, ingestionTime }) => ({
        logStreamName,
        logGroupIdentifier: this.groupArn(group),
        message,
        timestamp,
        ingestionTime,
      }));
    if (results.length > 0)
      session.res.write(
        eventMessage('sessionUpdate', { sessionMetadata: { sampled: false }, sessionResults: results }),
      );
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const session of this.sessions) session.res.destroy();
  }
}
