// Starts the real runtime loop with a `program` handler (TSLAMBDA_PROGRAM) against a fresh test Runtime API, with a
// task root written from a map of files; the program runs on the host (python3, bash).
import { fileURLToPath } from 'node:url';
import { RuntimeApiServer } from './runtime-api-server.js';
import { removeTaskRoot, startRuntime, writeTaskRoot, type RuntimeProcess } from './runtime-process.js';

export const ADAPTERS = fileURLToPath(new URL('../../../runtime/adapters/', import.meta.url));

export interface ProgramRuntime {
  api: RuntimeApiServer;
  runtime: RuntimeProcess;
  root: string;
  stop(): Promise<void>;
}

export async function startProgram(program: Record<string, unknown>, files: Record<string, string>): Promise<ProgramRuntime> {
  const api = await RuntimeApiServer.start();
  const root = writeTaskRoot(files);
  const runtime = startRuntime({
    node: process.execPath,
    api: api.address,
    taskRoot: root,
    env: {
      TSLAMBDA_PROGRAM: JSON.stringify(program),
      AWS_LAMBDA_FUNCTION_NAME: 'fn',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    },
  });
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
