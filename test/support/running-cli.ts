// The CLI running in-process while a test acts on it (invoke-local --watch, dev): its output readable as it comes,
// bounded waits that watch that output, and Ctrl-C through its abort signal. Every CLI started is interrupted by
// `interruptAll` (call it in afterEach) so a failed assertion leaves no watcher, process or container behind.
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../src/cli/main.js';

/** How long a wait lasts by default; a run that builds images may need more (startCli's waitMs). */
export const WAIT_MS = 20_000;

export interface RunningCli {
  stdout(): string;
  stderr(): string;
  /** Resolves once `test` holds for the stream's text so far; fails after the CLI's wait bound with what was seen. */
  waitFor(stream: 'stdout' | 'stderr', test: (text: string) => boolean, what: string): Promise<void>;
  /** Ctrl-C, and the exit code. */
  interrupt(): Promise<number>;
}

const running: RunningCli[] = [];

/** Interrupts every CLI still running, and waits for each to exit. */
export async function interruptAll(): Promise<void> {
  await Promise.all(running.splice(0).map((cli) => cli.interrupt()));
}

export function startCli(args: string[], options: { waitMs?: number } = {}): RunningCli {
  const waitMs = options.waitMs ?? WAIT_MS;
  const controller = new AbortController();
  const streams = { stdout: new PassThrough(), stderr: new PassThrough() };
  const text = { stdout: '', stderr: '' };
  for (const name of ['stdout', 'stderr'] as const)
    streams[name].on('data', (chunk: Buffer) => (text[name] += chunk.toString()));
  const exit = runCli(args, {
    ...streams,
    stdin: Readable.from([]),
    env: { ...process.env, NO_COLOR: '1' },
    cwd: process.cwd(),
    interactive: false,
    signal: controller.signal,
  });
  let ended = false;
  void exit.finally(() => (ended = true));
  const cli: RunningCli = {
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    waitFor: (name, test, what) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!test(text[name])) return ended ? fail('the CLI exited') : undefined;
          cleanup();
          resolve();
        };
        const fail = (why: string) => {
          cleanup();
          reject(new Error(`${what}: ${why}\n--- stdout\n${text.stdout}\n--- stderr\n${text.stderr}`));
        };
        const timer = setTimeout(() => fail(`not seen within ${waitMs} ms`), waitMs);
        const cleanup = () => {
          clearTimeout(timer);
          streams[name].off('data', onData);
        };
        const onData = () => setImmediate(check);
        streams[name].on('data', onData);
        void exit.then(() => setImmediate(check));
        check();
      }),
    interrupt: async () => {
      controller.abort();
      const index = running.indexOf(cli);
      if (index >= 0) running.splice(index, 1);
      return exit;
    },
  };
  running.push(cli);
  return cli;
}
