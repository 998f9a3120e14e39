// The CLI's entry: parses argv with yargs, runs the chosen command, and maps the outcome to an exit code.
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { Argv } from 'yargs';
import { commands } from './commands.js';
import { ExitCode, UserError } from './errors.js';
import { withGlobalOptions } from './global-options.js';
import { createOutput, wantsColor } from './output.js';
import { reportError } from './report-error.js';
import { packageVersion } from './version.js';
import { loadConfig } from '../config/load.js';
import { connectDocker } from '../docker/client.js';
import type Docker from 'dockerode';
import { suggestKey } from '../util/suggest.js';
import type { CommandContext, CommandDefinition, GlobalArgs } from '../commands/types.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stderr is a terminal (spinners) — false in tests and CI. */
  interactive: boolean;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

interface Parsed {
  command?: CommandDefinition;
  args?: GlobalArgs & Record<string, unknown>;
  /** Help or version text yargs produced instead of running a command. */
  output?: string;
  error?: Error;
}

// yargs' CommonJS build loads in half the time of its ES module wrapper; start-up is paid by every command.
const yargs = createRequire(import.meta.url)('yargs/yargs') as (args?: string[]) => Argv;

function parse(argv: string[]): Parsed {
  const parsed: Parsed = {};
  let cli = withGlobalOptions(yargs())
    .scriptName('tslambda')
    .usage('$0 <command> [options]\n\nShip a program to AWS Lambda as a container image.')
    .strict()
    .recommendCommands()
    .demandCommand(1, 'name a command, e.g. `tslambda build`; see `tslambda --help`')
    .version(packageVersion)
    .help()
    .alias('help', 'h')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .epilogue('Docs: README.md · exit codes: 0 ok, 2 usage/config, 3 Docker unreachable, 4 build failed (full table in the README)')
    .exitProcess(false)
    .fail((message, error) => {
      parsed.error = error ?? new UserError(message ?? 'invalid arguments');
    });
  for (const command of commands) {
    cli = cli.command(
      command.command,
      command.describe,
      (y) => command.examples.reduce((acc, [cmd, what]) => acc.example(cmd, what), command.builder(y as never)),
      (args) => {
        parsed.command = command;
        parsed.args = args as Parsed['args'];
      },
    );
  }
  cli.parse(argv, {}, (error, _args, output) => {
    if (error && !parsed.error) parsed.error = error;
    if (output) parsed.output = output;
  });
  return parsed;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const parsed = parse(argv);
  const wantsJson = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  if (parsed.error) {
    const bare = await createOutput({ ...io, interactive: false, color: false, json: wantsJson, verbose, quiet: false });
    const usage = new UserError(parsed.error.message.split('\n')[0]!, { exitCode: ExitCode.usage, hint: usageHint(argv) });
    return reportError(usage, bare, false);
  }
  if (!parsed.command || !parsed.args) {
    if (parsed.output) io.stdout.write(`${parsed.output}\n`);
    return ExitCode.ok;
  }

  const args = parsed.args;
  const out = await createOutput({
    stdout: io.stdout,
    stderr: io.stderr,
    interactive: io.interactive && !args.json,
    color: wantsColor(args.color, io.env, io.interactive),
    json: args.json,
    verbose: args.verbose,
    quiet: args.quiet,
  });
  const cwd = resolve(io.cwd, args.cwd ?? '.');
  let docker: Promise<Docker> | undefined;
  const ctx: CommandContext = {
    out,
    env: io.env,
    cwd,
    stdin: io.stdin,
    signal: io.signal,
    // One connection per run: build, push and every --watch rebuild share it instead of pinging again.
    docker: () => (docker ??= connectDocker(io.env)),
    loadConfig: (overrides = {}) =>
      loadConfig({ cwd, configPath: args.config, env: io.env, overrides: { region: args.region, profile: args.profile, ...overrides } }),
  };
  try {
    await parsed.command.handler(args, ctx);
    // A command that stops cleanly on Ctrl-C (--serve) still ends as interrupted, never as success.
    return io.signal.aborted ? reportError(io.signal.reason, out, true) : ExitCode.ok;
  } catch (error) {
    return reportError(error, out, io.signal.aborted);
  }
}

function usageHint(argv: string[]): string {
  const first = argv.find((a) => !a.startsWith('-'));
  const names = commands.map((c) => c.command.split(' ')[0]!);
  if (first && !names.includes(first)) {
    const suggestion = suggestKey(first, names);
    if (suggestion) return `did you mean \`tslambda ${suggestion}\`? (\`tslambda --help\` lists the commands)`;
  }
  return `run \`tslambda ${commandName(argv)}--help\` for the options`;
}

function commandName(argv: string[]): string {
  const first = argv.find((a) => !a.startsWith('-'));
  return first && commands.some((c) => c.command.split(' ')[0] === first) ? `${first} ` : '';
}
