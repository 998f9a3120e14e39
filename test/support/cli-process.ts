// Runs bin/tslambda.js as a real process, as a shell would (through its shebang), so a test can assert that the
// process itself ended: its exit code, within a bound, and what it printed. Can send a signal at a given stage.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/tslambda.js', import.meta.url));

export interface ProcessRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Wall time until the process exited (or was killed at the bound). */
  ms: number;
  /** True when the process was still alive at `boundMs` and had to be killed. */
  hung: boolean;
  /** When the signal was sent, ms after the start; undefined when its stage never came. */
  signalledAt?: number;
}

export interface ProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The process must have exited by then; it is SIGKILLed and reported as hung otherwise. */
  boundMs: number;
  /** Sends `signal` once the output (stdout + stderr) matches `when`, `afterMs` later (default at once). */
  interrupt?: { when: RegExp; signal?: NodeJS.Signals; afterMs?: number };
  stdin?: string;
  /** Called with everything printed so far (stdout + stderr), on every chunk. */
  onOutput?: (text: string) => void;
}

export function runProcess(args: string[], options: ProcessOptions): Promise<ProcessRun> {
  const started = performance.now();
  const child = spawn(BIN, args, {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', CI: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(options.stdin ?? '');
  let stdout = '';
  let stderr = '';
  let signalledAt: number | undefined;
  const watch = () => {
    options.onOutput?.(stdout + stderr);
    if (!options.interrupt || signalledAt !== undefined) return;
    if (options.interrupt.when.test(stdout + stderr)) {
      signalledAt = performance.now() - started + (options.interrupt.afterMs ?? 0);
      const { signal = 'SIGINT', afterMs = 0 } = options.interrupt;
      setTimeout(() => child.kill(signal), afterMs);
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    watch();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    watch();
  });
  let hung = false;
  const bound = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, options.boundMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(bound);
      resolve({ exitCode: code, stdout, stderr, ms: performance.now() - started, hung, signalledAt });
    });
  });
}

/** The first line tslambda printed that starts with "error:" (or "interrupted"), without the prefix. */
export function firstErrorLine(stderr: string): string | undefined {
  const line = stderr.split('\n').find((l) => l.startsWith('error: ') || l === 'interrupted');
  return line?.replace(/^error: /, '');
}
