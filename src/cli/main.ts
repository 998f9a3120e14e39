// The CLI's entry: answers --help from the option table, else reads argv against it, runs the chosen command, and maps the outcome to an exit code.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ConfigProblem } from '../config/checks.js';
import { isArgsOf, isGlobalArgs, localFlagProblems } from '../config/flags.js';
import type { CommandName } from '../config/options.js';
import { createCommandContext } from '../commands/context.js';
import { suggestKey } from '../core/suggest.js';
import { commandNames, commandSpecs, isCommandName } from './commands.js';
import { ExitCode, UserError } from '../core/errors.js';
import { helpRequested } from './help.js';
import { parse, unknownFlag } from './parse.js';
import { packageVersion } from '../core/version.js';
import { createOutput, wantsColor } from './terminal.js';
import { reportError } from './report-error.js';

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

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const help = helpRequested(argv);
  if (help !== undefined) {
    io.stdout.write(`${help}\n`);
    return ExitCode.ok;
  }
  const parsed = parse(argv);
  if (parsed.kind === 'version') {
    io.stdout.write(`${packageVersion}\n`);
    return ExitCode.ok;
  }
  if (parsed.kind === 'error') return usageError(parsed.message, [], argv, io);
  const { command, args, unknown } = parsed;
  const local =
    isArgsOf(command, args) && isGlobalArgs(args) ? localFlagProblems(command, args, commandSpecs[command].rules) : [];
  const problems = [...unknown.map((word) => unknownFlag(command, word)), ...parsed.problems, ...local];
  // Unknown words alone read as they always have; with other problems, every one is listed.
  if (unknown.length === problems.length && unknown.length > 0)
    return usageError(`Unknown argument${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}`, [], argv, io);
  if (problems.length > 0)
    return usageError(
      `invalid flags (${problems.length} problem${problems.length === 1 ? '' : 's'}):`,
      problems,
      argv,
      io,
    );
  return runCommand(command, args, io);
}

/** One line, or the list of every problem, with the hint that leads to the help. */
async function usageError(message: string, problems: ConfigProblem[], argv: string[], io: CliIo): Promise<number> {
  const lines = [message, ...problems.map((p) => `  ${p.path}: ${p.message}`)];
  const error = new UserError(lines.join('\n'), {
    exitCode: ExitCode.usage,
    hint: usageHint(argv),
    ...(problems.length ? { details: { problems } } : {}),
  });
  return reportError(error, await bareOutput(argv, io), false);
}

const bareOutput = (argv: string[], io: CliIo) =>
  createOutput({
    ...io,
    interactive: false,
    color: false,
    json: argv.includes('--json'),
    verbose: argv.includes('--verbose'),
    quiet: false,
  });

async function runCommand<N extends CommandName>(name: N, args: Record<string, unknown>, io: CliIo): Promise<number> {
  if (!isArgsOf(name, args) || !isGlobalArgs(args))
    throw new Error(`the parsed flags of ${name} do not match the option table`);
  const spec = commandSpecs[name];
  const out = await createOutput({
    stdout: io.stdout,
    stderr: io.stderr,
    interactive: io.interactive && !args.json,
    color: wantsColor(args.color, io.env, io.interactive),
    json: args.json,
    verbose: args.verbose,
    quiet: args.quiet,
  });
  const ctx = createCommandContext({
    name,
    args,
    out,
    env: io.env,
    cwd: resolve(io.cwd, args.cwd ?? '.'),
    stdin: io.stdin,
    signal: io.signal,
  });
  try {
    if (args.cwd !== undefined) await requireFolder(ctx.cwd, args.cwd);
    const handler = await spec.load();
    await handler(args, ctx);
    // A command that stops cleanly on Ctrl-C (--serve) still ends as interrupted, never as success.
    return io.signal.aborted ? reportError(io.signal.reason, out, true) : ExitCode.ok;
  } catch (error) {
    return reportError(error, out, io.signal.aborted);
  }
}

/** --cwd names a folder that exists: otherwise every command would fail later, in words that do not name the flag. */
async function requireFolder(path: string, given: string): Promise<void> {
  const folder = await stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!folder)
    throw new UserError(`--cwd ${given}: no such folder`, {
      exitCode: ExitCode.usage,
      hint: 'pass a folder that exists, or drop --cwd to run in the current one',
    });
}

function usageHint(argv: string[]): string {
  const first = argv.find((a) => !a.startsWith('-'));
  if (first && !isCommandName(first)) {
    const suggestion = suggestKey(first, commandNames);
    if (suggestion) return `did you mean \`tslambda ${suggestion}\`? (\`tslambda --help\` lists the commands)`;
  }
  return `run \`tslambda ${isCommandName(first) ? `${first} ` : ''}--help\` for the options`;
}
