// A local run without --watch: starts the environments once, then either invokes one event (--repeat times) or
// keeps them warm behind the fronts (--serve, --http) until Ctrl-C; every container and server it started is
// removed on the way out, whichever way it ends.

import { createCleanup, type Cleanup } from '../core/cleanup.js';
import { isUserError } from '../core/errors.js';
import type { Output } from '../core/output.js';
import type { EnvironmentSet } from './execution/environment-set.js';
import type { EnvironmentInvokeOptions, EnvironmentResult } from './execution/invoker.js';
import type { EnvironmentPool } from './execution/pool.js';
import { interrupted } from './interrupted.js';
import type { HttpFormat } from './http-front/request-event.js';

/** The fronts a warm function is served behind: the Invoke API (--serve), an HTTP front (--http), or both. */
export interface Fronts {
  serve?: number;
  http?: { port: number; format: HttpFormat };
}

/** One event, invoked `repeat` times; the command shows each result and the run's end (rendering is its own). */
export interface OneShot {
  event: Buffer;
  repeat: number;
  /** Where a streamed response goes as it arrives. */
  sink: Pick<EnvironmentInvokeOptions, 'streamTo'>;
  show(result: EnvironmentResult): void;
  finish(results: EnvironmentResult[]): void;
}

export interface WarmRunOptions {
  functionName: string;
  out: Output;
  /** Ctrl-C: removes everything started so far; the run ends with the interrupted error (exit 130). */
  signal: AbortSignal;
  /** Prepares the launcher and starts the environments; undo steps for what it creates (a task root) go on `cleanups`. */
  start(cleanups: Cleanup): Promise<EnvironmentSet>;
  /** Exactly one of them: the fronts to serve behind, or the event to invoke. */
  fronts?: Fronts;
  oneShot?: OneShot;
}

export async function warmRun(options: WarmRunOptions): Promise<void> {
  const { signal } = options;
  // One cleanup, shared by Ctrl-C and the end of the command, so that both wait for every removal.
  const cleanups = createCleanup();
  const onAbort = () => void cleanups.run();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const environments = await options.start(cleanups);
    cleanups.push(() => environments.stop());
    if (signal.aborted) throw interrupted();

    if (options.fronts) await serveFronts(options.fronts, environments.pool, options, cleanups);
    else await invokeRepeatedly(options.oneShot!, environments.pool, signal);
  } catch (error) {
    if (signal.aborted && !isUserError(error)) throw interrupted();
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    await cleanups.run();
  }
}

async function invokeRepeatedly(oneShot: OneShot, pool: EnvironmentPool, signal: AbortSignal): Promise<void> {
  const results: EnvironmentResult[] = [];
  for (let index = 0; index < oneShot.repeat; index++) {
    if (signal.aborted) throw interrupted();
    const result = await pool.invoke(oneShot.event, { ...oneShot.sink, completeLogs: true });
    results.push(result);
    oneShot.show(result);
  }
  oneShot.finish(results);
}

async function serveFronts(
  fronts: Fronts,
  pool: EnvironmentPool,
  { functionName, out, signal }: WarmRunOptions,
  cleanups: Cleanup,
): Promise<void> {
  const count = pool.environments.length;
  // Warm every environment now, so the first caller does not pay for the cold starts.
  await out.step(`Starting ${count} warm environment${count > 1 ? 's' : ''}`, () =>
    Promise.all(pool.environments.map((environment) => environment.warm())),
  );
  if (fronts.serve !== undefined) {
    const { startServing } = await import('./serving.js');
    const server = await startServing({ port: fronts.serve, functionName, concurrency: count, invoker: pool, out });
    cleanups.push(() => server.close());
  }
  if (fronts.http) {
    const { startHttpServing } = await import('./http-front/serving.js');
    const front = await startHttpServing({ ...fronts.http, functionName, concurrency: count, invoker: pool, out });
    cleanups.push(() => front.close());
  }
  if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
}
