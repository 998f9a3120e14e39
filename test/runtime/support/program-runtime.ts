// Starts the real runtime loop with a `program` handler (TSLAMBDA_PROGRAM) against a fresh test Runtime API, with a
// task root written from a map of files; the program runs on the host (python3, bash).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RuntimeApiServer } from './runtime-api-server.js';
import { BOOTSTRAP, removeTaskRoot, writeTaskRoot, type Exit, type RuntimeProcess } from './runtime-process.js';

export const ADAPTERS = fileURLToPath(new URL('../../../runtime/adapters/', import.meta.url));

export interface ProgramRuntime {
  api: RuntimeApiServer;
  runtime: RuntimeProcess;
  root: string;
  stop(): Promise<void>;
}

export async function startProgram(
  program: Record<string, unknown>,
  files: Record<string, string>,
): Promise<ProgramRuntime> {
  const api = await RuntimeApiServer.start();
  const root = writeTaskRoot(files);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_LAMBDA_RUNTIME_API: api.address,
    LAMBDA_TASK_ROOT: root,
    TSLAMBDA_PROGRAM: JSON.stringify(program),
    AWS_LAMBDA_FUNCTION_NAME: 'fn',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  };
  // Its own process group, killed whole at the end, as a container ends: the programs it started go with it.
  const child = spawn(process.execPath, [BOOTSTRAP], {
    env,
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const runtime: RuntimeProcess = {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone, with its group
      }
      return exited;
    },
  };
  return {
    api,
    runtime,
    root,
    stop: async () => {
      await runtime.stop();
      await api.close();
      removeTaskRoot(root);
    },
  };
}

/** A deadline `ms` from now, as the Lambda-Runtime-Deadline-Ms header. */
export function deadlineIn(ms: number): Record<string, string> {
  return { 'Lambda-Runtime-Deadline-Ms': String(Date.now() + ms) };
}

/** Waits until `read()` contains `text` (output arrives through pipes, after the post it precedes or follows). */
export async function eventually(read: () => string, text: string, ms = 5000): Promise<string> {
  const until = Date.now() + ms;
  while (!read().includes(text)) {
    if (Date.now() > until) throw new Error(`never saw ${JSON.stringify(text)} in:\n${read().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return read();
}
