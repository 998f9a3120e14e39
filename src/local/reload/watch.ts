// invoke-local --watch (and `tslambda dev`): on every change to the function, rebuilds it (a new bundle in the host
// task root, or a new image; a host program is only restarted), replaces its environments, and invokes again with
// the same event or keeps serving.

import { createCleanup, type Cleanup } from '../../core/cleanup.js';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type Docker from 'dockerode';
import { isUserError, type UserError } from '../../core/errors.js';
import { formatDuration, type Output } from '../../core/output.js';
import type { ResolvedConfig } from '../../config/types.js';
import type { BuiltImage } from '../../pipeline/build.js';
import type { RuntimeLauncher } from '../execution/launcher.js';
import { programHostLauncher } from '../execution/program-host.js';
import type { EnvironmentSet } from '../execution/environment-set.js';
import type { EnvironmentInvokeOptions, EnvironmentResult } from '../execution/invoker.js';
import { interrupted } from '../interrupted.js';
import { ReloadingPool } from './reloading-pool.js';
import { startServing } from '../serving.js';
import { startHttpServing } from '../http-front/serving.js';
import type { HttpFormat } from '../http-front/request-event.js';
import { imageReloader, programReloader, taskRootReloader, type Pending, type Reloader } from './reloaders.js';
import { watchSources, type SourceChange } from './watch-sources.js';

/** Where each version of the function runs. */
export type WatchRuntime =
  | {
      kind: 'host' /** The runtime loop as a host process over this task root. */;
      launcherFor(taskRoot: string): RuntimeLauncher;
    }
  | {
      kind: 'docker';
      docker: Docker;
      /** The build step every command uses (bundles again, sends the context, builds, tags). */
      build(): Promise<BuiltImage>;
      launcherFor(image: string): RuntimeLauncher;
    };

export interface WatchOptions {
  config: ResolvedConfig;
  out: Output;
  /** Ctrl-C: stops the watch, removes every container, and the command exits 130. */
  signal: AbortSignal;
  runtime: WatchRuntime;
  /** false: --no-bundle. */
  bundle: boolean;
  startEnvironments(launcher: RuntimeLauncher): Promise<EnvironmentSet>;
  /** Without --serve: invoke with this event after every reload, `repeat` times. */
  invocation?: WatchInvocation;
  /** With --serve: keep the Invoke API open; each call runs the newest code. */
  serve?: { port: number; concurrency: number };
  /** With --http: keep the HTTP front open; each request runs the newest code. */
  http?: { port: number; format: HttpFormat; concurrency: number };
}

/** The event run after every reload, and how the command shows each result (rendering is the command's). */
export interface WatchInvocation {
  event: Buffer;
  repeat: number;
  /** Where a streamed response goes as it arrives. */
  sink: Pick<EnvironmentInvokeOptions, 'streamTo'>;
  show(result: EnvironmentResult): void;
}

/** Runs until ctx.signal is aborted, then cleans up and throws the interrupted UserError (exit 130). */
export async function watchFunction(options: WatchOptions): Promise<never> {
  const { config, out, signal, runtime } = options;
  const pool = new ReloadingPool();
  const cleanups = createCleanup();
  const onAbort = () => void pool.stop();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const reloader = await reloaderFor(runtime, config, cleanups);

    if (options.serve) {
      const server = await startServing({
        port: options.serve.port,
        functionName: config.functionName,
        concurrency: options.serve.concurrency,
        invoker: pool,
        out,
        note: 'reloading on every change',
      });
      cleanups.push(() => server.close());
    }
    if (options.http) {
      const front = await startHttpServing({
        ...options.http,
        functionName: config.functionName,
        invoker: pool,
        out,
        note: 'reloading on every change',
      });
      cleanups.push(() => front.close());
    }
    const serving = options.serve !== undefined || options.http !== undefined;

    const changes = new ChangeQueue(signal, (error) => showFailure(out, error));
    const sources = await watchSources({
      config,
      mode: runtime.kind,
      bundle: options.bundle,
      onChange: (change) => changes.push(change),
    });
    cleanups.push(() => sources.stop());
    out.info(`Watching ${sources.describe} (Ctrl-C to stop)`);

    let reloads = 0;
    let lastReload = 0;
    for (let pending = await changes.next(); pending; pending = await changes.next()) {
      try {
        if (reloads > 0) out.info(`↻ ${await describeChange(pending, config.context, lastReload)} changed`);
        lastReload = Date.now();
        const next = await reloader.next(pending, reloads === 0);
        if ('unchanged' in next) {
          out.info(`  ${next.unchanged}`);
          continue;
        }
        if ('sameEnvironments' in next) {
          out.info(`  ${next.sameEnvironments}`);
          if (options.invocation && !serving) await invokeAndShow(pool, options.invocation, signal);
          continue;
        }
        await pool.replace(async () => {
          const set = await options.startEnvironments(next.launcher);
          if (!serving) return set;
          // Warm before callers get through, so the first call after a save does not pay for the cold start.
          await Promise.all(set.pool.environments.map((environment) => environment.warm())).catch(
            async (error: unknown) => {
              await set.stop();
              throw error;
            },
          );
          return set;
        }, next.whileStopped);
        next.commit();
        reloads++;
        const took = formatDuration(performance.now() - pending.since);
        if (serving) out.info(`${reloads > 1 ? 'Reloaded' : 'Ready'} in ${took}; the next call runs this version`);
        else if (options.invocation) await invokeAndShow(pool, options.invocation, signal);
      } catch (error) {
        if (signal.aborted) break;
        showFailure(out, error);
      }
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    await pool.stop();
    await cleanups.run();
  }
  throw interrupted();
}

/** The reloader for where the function runs; a host run gets a temporary task root, removed with the cleanups. */
async function reloaderFor(runtime: WatchRuntime, config: ResolvedConfig, cleanups: Cleanup): Promise<Reloader> {
  if (runtime.kind === 'docker') return imageReloader(runtime.docker, runtime.build, runtime.launcherFor);
  // A program runs from the project folder as it is: no task root to write.
  if (config.program)
    return programReloader(config.program, programHostLauncher(runtime.launcherFor(config.context), config.program));
  const taskRoot = await mkdtemp(join(tmpdir(), 'tslambda-task-'));
  cleanups.push(() => rm(taskRoot, { recursive: true, force: true }));
  return taskRootReloader(config, taskRoot, runtime.launcherFor(taskRoot));
}

async function invokeAndShow(pool: ReloadingPool, invocation: WatchInvocation, signal: AbortSignal): Promise<void> {
  for (let index = 0; index < invocation.repeat && !signal.aborted; index++) {
    const result = await pool.invoke(invocation.event, { ...invocation.sink, completeLogs: true });
    // Ctrl-C during the invocation stops the runtime under it: that outcome is not the function's.
    if (signal.aborted) return;
    invocation.show(result);
  }
}

/** The sources that changed since the last reload (by modification time), else the files that did. */
async function describeChange(pending: Pending, context: string, since: number): Promise<string> {
  const name = (path: string) => relative(context, path) || path;
  const files = [...pending.files].map(name);
  if (pending.bundle) {
    const modified = await Promise.all(
      pending.bundle.result.inputs.map(async (path) =>
        (await stat(path).then(
          (s) => s.mtimeMs,
          () => 0,
        )) >=
        since - 5
          ? path
          : undefined,
      ),
    );
    files.unshift(
      ...modified.filter((path): path is string => path !== undefined && !path.includes('/node_modules/')).map(name),
    );
  }
  if (files.length === 0) return pending.bundle ? 'the handler' : 'the project';
  return files.length > 3 ? `${files.slice(0, 3).join(', ')} and ${files.length - 3} more` : files.join(', ');
}

/** One line for a failed rebuild or reload; the watch goes on and the next good save recovers. */
function showFailure(out: Output, error: unknown): void {
  if (isUserError(error)) {
    const where = location(error);
    out.stderr.write(`✖ ${error.message}${where ? ` (${where})` : ''}; waiting for the next change\n`);
  } else {
    out.stderr.write(`✖ reload failed: ${(error as Error).message ?? String(error)}; waiting for the next change\n`);
    out.debug((error as Error).stack ?? '');
  }
}

/** file:line:column of esbuild's first message, when the error carries esbuild's formatted report. */
function location(error: UserError): string | undefined {
  const report = error.details?.esbuild;
  if (typeof report !== 'string') return undefined;
  return /^\s+(\S+:\d+:\d+):\s*$/m.exec(report)?.[1];
}

/** Changes in, reloads out: merges what arrives while a reload is busy; a failed bundle drops the older one queued. */
class ChangeQueue {
  private pending?: Pending;
  private wake?: () => void;

  constructor(
    private readonly signal: AbortSignal,
    private readonly onFailure: (error: UserError) => void,
  ) {
    signal.addEventListener('abort', () => this.wake?.(), { once: true });
  }

  push(change: SourceChange): void {
    if (change.kind === 'failed') {
      this.onFailure(change.error);
      // The queued bundle is older than the broken save the user is looking at.
      if (this.pending) this.pending.bundle = undefined;
      if (this.pending && this.pending.files.size === 0) this.pending = undefined;
      return;
    }
    const pending = (this.pending ??= { files: new Set(), since: performance.now() });
    if (change.kind === 'bundled') {
      pending.bundle = {
        result: change.result,
        externalsChanged: change.externalsChanged || (pending.bundle?.externalsChanged ?? false),
      };
    } else {
      for (const path of change.paths) pending.files.add(path);
    }
    this.wake?.();
  }

  /** The next batch of changes; undefined once the signal is aborted. */
  async next(): Promise<Pending | undefined> {
    while (!this.signal.aborted) {
      const pending = this.pending;
      if (pending) {
        this.pending = undefined;
        return pending;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return undefined;
  }
}
