// Runs the CLI in-process, as a user would from a shell, and returns what they would see.
import { PassThrough, Readable } from 'node:stream';
import { runCli as run } from '../../src/cli/main.js';

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  signal?: AbortSignal;
  /** Sees stdout as it is written, for tests that act while a command runs (logs --follow). */
  onStdout?: (text: string) => void;
}

export async function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  stdout.on('data', (c: Buffer) => {
    chunks.stdout.push(c);
    options.onStdout?.(Buffer.concat(chunks.stdout).toString());
  });
  stderr.on('data', (c: Buffer) => chunks.stderr.push(c));
  const exitCode = await run(args, {
    stdout,
    stderr,
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    cwd: options.cwd ?? process.cwd(),
    interactive: false,
    signal: options.signal ?? new AbortController().signal,
  });
  return { exitCode, stdout: Buffer.concat(chunks.stdout).toString(), stderr: Buffer.concat(chunks.stderr).toString() };
}
