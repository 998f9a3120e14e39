// `tslambda logs`: print the function's CloudWatch logs for a time range, or follow them (Live Tail) until Ctrl-C.
import type { LogEvent } from '../aws/logs.js';
import { ExitCode, UserError } from '../core/errors.js';
import { parseSince } from '../core/since.js';
import { defineCommand, type CommandContext } from './types.js';

/** What `logs` and `deploy --tail` ask of a read. */
export interface LogsRequest {
  follow: boolean;
  since?: string;
  filter?: string;
  qualifier?: string;
}

export { parseSince };

const paint = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[39m`;
const PLATFORM = /^(START|END|REPORT|INIT_START|INIT_REPORT|EXTENSION|TELEMETRY) |"type":"platform\./;
const FAILURE = /\tERROR\t|"level":"(ERROR|FATAL)"|Task timed out|Runtime\.\w+|Error: |"errorType"/;

/** A line as Lambda wrote it; on a terminal, platform lines (START/END/REPORT) dimmed and errors in red. */
export function renderLine(message: string, color: boolean): string {
  const line = message.endsWith('\n') ? message.slice(0, -1) : message;
  if (!color) return line;
  if (PLATFORM.test(line)) return paint(/REPORT|platform\.report/.test(line) ? 36 : 90)(line);
  if (FAILURE.test(line)) return paint(31)(line);
  return line;
}

export const toJsonEvent = (event: LogEvent, version: string | undefined) => ({
  time: new Date(event.timestamp).toISOString(),
  timestamp: event.timestamp,
  logStreamName: event.logStreamName,
  version,
  message: event.message.replace(/\n$/, ''),
});

export const logsCommand = defineCommand('logs', {
  async handler(args, ctx) {
    if (args.since !== undefined && parseSince(args.since) === undefined) {
      throw new UserError(`--since ${args.since} is not a duration (30s, 10m, 2h, 1d) or an ISO date`, {
        exitCode: ExitCode.usage,
        hint: 'e.g. --since 10m or --since 2026-12-01T08:00:00Z',
      });
    }
    const { loadTargets } = await import('./targets.js');
    const targets = await loadTargets(ctx, args);
    if (targets.length > 1 && args.follow)
      throw new UserError(`--follow follows one function in one region; ${targets.length} targets were picked`, {
        exitCode: ExitCode.usage,
        hint: 'name one function (and --region), or drop --follow to print each in turn',
      });
    // Several targets: each one's lines in turn under a header, as `tail` prints several files.
    for (const { label, config } of targets) {
      if (targets.length > 1 && !args.json) ctx.out.stdout.write(`==> ${label} <==\n`);
      await printLogs(ctx, { functionName: config.functionName, region: config.region, profile: config.profile }, args);
    }
  },
});

/** Reads or follows; shared with `deploy --tail`. Ctrl-C while following ends with the interrupted exit code. */
export async function printLogs(
  ctx: CommandContext,
  target: { functionName: string; region?: string; profile?: string },
  args: LogsRequest,
): Promise<void> {
  const { createAwsClients } = await import('../aws/clients.js');
  const logsApi = await import('../aws/logs.js');
  const { out } = ctx;
  const { lambda } = createAwsClients({
    env: ctx.env,
    region: target.region,
    profile: target.profile,
    signal: ctx.signal,
  });
  const client = logsApi.createLogsClient({ env: ctx.env, region: target.region, profile: target.profile });
  const source = await logsApi.resolveLogSource(lambda, target.functionName, args.qualifier, args.filter);
  const now = Date.now();
  const startTime = args.since !== undefined ? parseSince(args.since, now)! : args.follow ? now : now - 10 * 60_000;
  const print = (events: LogEvent[]) => {
    for (const event of events) {
      if (out.json)
        out.stdout.write(`${JSON.stringify(toJsonEvent(event, logsApi.streamVersion(event.logStreamName)))}\n`);
      else out.stdout.write(`${renderLine(event.message, out.color)}\n`);
    }
  };
  const scope = `${source.group}${source.versions ? ` (version ${source.versions.join(', ')})` : ''}`;
  if (!args.follow) {
    print(await logsApi.readLogs(client, source, { startTime, signal: ctx.signal }));
    return;
  }
  out.info(`Following ${scope}; Ctrl-C to stop`);
  await logsApi.followLogs(client, source, {
    startTime,
    signal: ctx.signal,
    onEvents: print,
    notice: (line) => out.warn(line),
    debug: (line) => out.debug(line),
  });
  // followLogs returns only when Ctrl-C aborted the signal.
  throw ctx.signal.reason ?? new Error('interrupted');
}
