// `tslambda logs`: print the function's CloudWatch logs for a time range, or follow them (Live Tail) until Ctrl-C.
import type { LogEvent } from '../aws/logs.js';
import { defineCommand, type CommandContext } from './types.js';

export interface LogsFlags {
  follow: boolean;
  since?: string;
  filter?: string;
  qualifier?: string;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `10m`, `2h`, `30s`, `1d` before `now`, or an ISO date; undefined for anything else. */
export function parseSince(value: string, now = Date.now()): number | undefined {
  const relative = /^(\d+)([smhd])$/.exec(value.trim());
  if (relative) return now - Number(relative[1]) * UNITS[relative[2]!]!;
  if (!/^\d{4}-\d{2}-\d{2}/.test(value.trim())) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}

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

export const logsCommand = defineCommand<LogsFlags>({
  command: 'logs',
  describe: "Print the function's CloudWatch logs, or follow them live",
  examples: [
    ['$0 logs', 'the last 10 minutes'],
    ['$0 logs -f', 'follow new lines with CloudWatch Live Tail until Ctrl-C'],
    ['$0 logs --since 1h --filter ERROR', 'lines of the last hour that contain ERROR'],
    ['$0 logs -f --qualifier live', 'only the version(s) the alias "live" routes to'],
  ],
  builder: (yargs) =>
    yargs
      .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'Keep printing new lines (Live Tail; polls where Live Tail is refused) until Ctrl-C' })
      .option('since', { type: 'string', requiresArg: true, describe: 'Start this long ago (30s, 10m, 2h, 1d) or at an ISO date; default 10m, or now with --follow' })
      .option('filter', { type: 'string', requiresArg: true, describe: 'CloudWatch filter pattern, e.g. ERROR or "?timeout ?Error"' })
      .option('qualifier', { type: 'string', requiresArg: true, describe: "Only this version's lines; an alias means the version(s) it routes to" })
      .check((argv) => {
        if (argv.since !== undefined && parseSince(argv.since) === undefined) throw new Error(`--since ${argv.since} is not a duration (30s, 10m, 2h, 1d) or an ISO date`);
        return true;
      })
      .group(['follow', 'since', 'filter', 'qualifier'], 'Logs options:') as never,
  async handler(args, ctx) {
    const config = await ctx.loadConfig();
    await printLogs(ctx, { functionName: config.functionName, region: config.region, profile: config.profile }, args);
  },
});

/** Reads or follows; shared with `deploy --tail`. Ctrl-C while following ends with the interrupted exit code. */
export async function printLogs(ctx: CommandContext, target: { functionName: string; region?: string; profile?: string }, args: LogsFlags): Promise<void> {
  const { createAwsClients } = await import('../aws/clients.js');
  const logsApi = await import('../aws/logs.js');
  const { out } = ctx;
  const { lambda } = createAwsClients({ region: target.region, profile: target.profile, signal: ctx.signal });
  const client = logsApi.createLogsClient(target, ctx.env);
  const source = await logsApi.resolveLogSource(lambda, target.functionName, args.qualifier, args.filter);
  const now = Date.now();
  const startTime = args.since !== undefined ? parseSince(args.since, now)! : args.follow ? now : now - 10 * 60_000;
  const print = (events: LogEvent[]) => {
    for (const event of events) {
      if (out.json) out.stdout.write(`${JSON.stringify(toJsonEvent(event, logsApi.streamVersion(event.logStreamName)))}\n`);
      else out.stdout.write(`${renderLine(event.message, out.color)}\n`);
    }
  };
  const scope = `${source.group}${source.versions ? ` (version ${source.versions.join(', ')})` : ''}`;
  if (!args.follow) {
    print(await logsApi.readLogs(client, source, { startTime, signal: ctx.signal }));
    return;
  }
  out.info(`Following ${scope}; Ctrl-C to stop`);
  await logsApi.followLogs(client, source, { startTime, signal: ctx.signal, onEvents: print, notice: (line) => out.warn(line), debug: (line) => out.debug(line) });
  // followLogs returns only when Ctrl-C aborted the signal.
  throw ctx.signal.reason ?? new Error('interrupted');
}
