// Runs the real runtime loop (runtime/bootstrap.cjs) as a child process against a test Runtime API, with a task
// root written from a map of file names to contents, and collects its output and exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BOOTSTRAP = fileURLToPath(new URL('../../../runtime/bootstrap.cjs', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RuntimeProcess {
  child: ChildProcess;
  exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
  stop(): Promise<Exit>;
}

/** Writes files (path → contents) into a fresh directory; a package.json is the caller's choice. */
export function writeTaskRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'tslambda-runtime-'));
  for (const [name, contents] of Object.entries(files)) {
    const path = join(root, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, contents);
  }
  return root;
}

export function removeTaskRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

export interface StartOptions {
  node: string;
  api: string;
  taskRoot: string;
  /** Passed as _HANDLER unless `handlerAsArgument`. */
  handler?: string;
  handlerAsArgument?: boolean;
  env?: Record<string, string>;
  /** Another runtime client to run instead of tslambda's bootstrap (the conformance suite's aws-lambda-ric). */
  script?: string;
  extraArgs?: string[];
}

export function startRuntime(options: StartOptions): RuntimeProcess {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_LAMBDA_RUNTIME_API: options.api,
    LAMBDA_TASK_ROOT: options.taskRoot,
    ...(options.handler !== undefined && !options.handlerAsArgument ? { _HANDLER: options.handler } : {}),
    ...options.env,
  };
  const args = [
    options.script ?? BOOTSTRAP,
    ...(options.handlerAsArgument && options.handler !== undefined ? [options.handler] : []),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(options.node, args, { env, cwd: options.taskRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}
