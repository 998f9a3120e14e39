// Runs the runtime loop as a process on the host (invoke-local --no-docker): the fast inner loop.

import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { LaunchRequest, RuntimeExit, RuntimeLauncher, RuntimeProcess } from './launcher.js';

export interface HostProcessOptions {
  /** The executable and its arguments, e.g. [process.execPath, '/…/runtime/bootstrap.cjs', 'index.handler']. */
  command: [string, ...string[]];
  /** The task root: the process's working folder and LAMBDA_TASK_ROOT. */
  cwd: string;
  /** The environment Lambda sets (AWS_LAMBDA_RUNTIME_API is added here). */
  env: Record<string, string>;
}

export function hostProcessLauncher(options: HostProcessOptions): RuntimeLauncher {
  return {
    async start(request: LaunchRequest): Promise<RuntimeProcess> {
      const [file, ...args] = options.command;
      const env = {
        ...options.env,
        LAMBDA_TASK_ROOT: options.cwd,
        AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${request.port}`,
        ...request.env,
      };
      request.onStarting();
      // Loaded here, not with the module: invoke-local imports this before its first line, spawn is needed later.
      const { spawn } = await import('node:child_process');
      // Its own process group, stopped whole: a program handler's processes go with the loop, as in a container.
      const child = spawn(file, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      child.stdout.on('data', request.onOutput);
      child.stderr.on('data', request.onOutput);
      const exited = new Promise<RuntimeExit>((resolve) => {
        child.once('error', (error) => {
          request.onOutput(Buffer.from(`could not start ${file}: ${error.message}\n`));
          resolve({ exitCode: 127 });
        });
        child.once('exit', (code, signal) =>
          resolve({ exitCode: code, ...(signal ? { signal: signalName(signal) } : {}) }),
        );
      });
      let peak: number | undefined;
      return {
        exited,
        async peakMemoryBytes() {
          // VmHWM: the process's peak resident set size, kept by the kernel.
          // Read synchronously: a /proc file is in memory, and the promise API's open/fstat/read/close through the
          // thread pool cost ~0.3 ms twice per warm invocation (bench/http-front.mjs).
          const status = readProcStatus(child.pid);
          const kb = status && /^VmHWM:\s+(\d+) kB/m.exec(status);
          if (kb) peak = Math.max(peak ?? 0, Number(kb[1]) * 1024);
          return peak;
        },
        async stop() {
          if (child.exitCode === null && child.signalCode === null) killGroup(child);
          await exited;
        },
      };
    },
  };
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** Go's wording, which Lambda's messages use: "signal: killed". */
function signalName(signal: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed',
    SIGTERM: 'terminated',
    SIGSEGV: 'segmentation fault',
    SIGABRT: 'aborted',
    SIGINT: 'interrupt',
  };
  return names[signal] ?? signal;
}

function readProcStatus(pid: number | undefined): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
}
