// Runs the init command's handler in-process with real output, as the CLI would (until it is registered there).
import { PassThrough, Readable } from 'node:stream';
import { createOutput } from '../../../src/cli/terminal.js';
import { isUserError, type UserError } from '../../../src/core/errors.js';
import { initCommand } from '../../../src/commands/init.js';

export interface InitRun {
  stdout: string;
  stderr: string;
  error?: UserError;
}

export async function runInit(
  cwd: string,
  args: {
    dir?: string;
    name?: string;
    region?: string;
    architecture?: 'x86_64' | 'arm64';
    'base-image'?: string;
    dockerfile?: boolean;
    force?: boolean;
    json?: boolean;
  },
  env: NodeJS.ProcessEnv = {},
): Promise<InitRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  stdout.on('data', (c: Buffer) => chunks.stdout.push(c));
  stderr.on('data', (c: Buffer) => chunks.stderr.push(c));
  const out = await createOutput({
    stdout,
    stderr,
    interactive: false,
    color: false,
    json: args.json ?? false,
    verbose: false,
    quiet: false,
  });
  // stdin is not a terminal: a question would hang the test, so none may be asked.
  const stdin = Readable.from([]);
  let error: UserError | undefined;
  try {
    await initCommand.handler(
      { dir: '.', dockerfile: false, force: false, program: false, json: false, verbose: false, quiet: false, ...args },
      {
        out,
        env,
        cwd,
        stdin,
        signal: new AbortController().signal,
        loadConfig: () => Promise.reject(new Error('init loads no config')),
        loadProject: () => Promise.reject(new Error('init loads no config')),
        docker: () => Promise.reject(new Error('init uses no Docker engine')),
      },
    );
  } catch (caught) {
    if (!isUserError(caught)) throw caught;
    error = caught;
  }
  return { stdout: Buffer.concat(chunks.stdout).toString(), stderr: Buffer.concat(chunks.stderr).toString(), error };
}
