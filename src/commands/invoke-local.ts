// `tslambda invoke-local` (and `tslambda dev`): runs the function's image (or, with --no-docker, the runtime loop
// on the host) against the Runtime API emulator, printing logs like Lambda and the response on stdout; --serve
// keeps it warm behind a local Invoke API; --watch rebuilds and re-runs it on every change (src/local/reload/watch.ts).

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCleanup, type Cleanup } from '../core/cleanup.js';
import { ExitCode, UserError, isUserError } from '../core/errors.js';
import { defaultRegion } from '../aws/region.js';
import { DEFAULT_SERVE_PORT } from '../config/options.js';
import type { ResolvedConfig } from '../config/types.js';
import { bundleForTaskRoot, writeBundle } from '../pipeline/write-bundle.js';
import { awsCredentials } from '../local/execution/aws-credentials.js';
import {
  chooseNetwork,
  containerLauncher,
  imageExists,
  imageNodeOptions,
  type ContainerNetwork,
} from '../local/execution/docker-launcher.js';
import {
  INSPECT_ENV,
  inspectFlag,
  inspectNodeOptions,
  inspectSettings,
  type InspectSettings,
} from '../local/execution/inspector.js';
import { EXTENSIONS_DIR_ENV } from '../local/api/extensions.js';
import { LAYERS_IMAGE_DIR } from '../image/layers.js';
import { layerFolders } from '../pipeline/layers.js';
import { debuggerInstructions } from './invoke-local/debugger.js';
import { RUNTIME_ENTRY, RUNTIME_SOURCE_DIR, TASK_ROOT } from '../image/runtime-asset.js';
import type { EnvironmentResult } from '../local/execution/invoker.js';
import type { RuntimeLauncher } from '../local/execution/launcher.js';
import { hostProcessLauncher } from '../local/execution/host-process.js';
import { programHostEnv } from '../local/execution/program-host.js';
import { lambdaEnvironment, parseEnvFile } from '../local/execution/lambda-env.js';
import { interrupted } from '../local/interrupted.js';
import { printResponse, renderRun, renderWatchResult, responseSink } from './invoke-local/render.js';
import { localFunctions, type LocalFunction } from './invoke-local/functions.js';
import type { EnvironmentPool } from '../local/execution/pool.js';
import type { HttpFormat } from '../local/http-front/request-event.js';
import type { WatchRuntime } from '../local/reload/watch.js';
import { buildFromFlags, parseKeyValues } from './build-flags.js';
import { defineCommand, type ArgsOf, type CommandContext, type GlobalArgs } from './types.js';

export type InvokeLocalFlags = ArgsOf<'invoke-local'>;

export { DEFAULT_SERVE_PORT };

export const invokeLocalCommand = defineCommand('invoke-local', {
  handler: runInvokeLocal,
});

/** `tslambda dev` = `invoke-local --watch --serve`: the inner loop for a function called over the Invoke API. */
export const devCommand = defineCommand('dev', {
  handler: (args, ctx) =>
    runInvokeLocal(
      { ...args, all: false, watch: true, build: true, repeat: 1, serve: args.serve ?? DEFAULT_SERVE_PORT },
      ctx,
    ),
});

/** Each function named (or the only one) in turn, with the same event. */
async function runInvokeLocal(args: InvokeLocalFlags & GlobalArgs, ctx: CommandContext): Promise<void> {
  const functions = await localFunctions(ctx, args);
  // --serve and --http keep the function warm behind a front; without either, one event is invoked.
  const event = frontsOf(args) ? undefined : await readEvent(args, ctx);
  for (const fn of functions) {
    if (functions.length > 1) ctx.out.info(`${fn.config.functionKey}:`);
    await invokeOne(args, ctx, fn, event);
  }
}

async function invokeOne(
  args: InvokeLocalFlags & GlobalArgs,
  ctx: CommandContext,
  fn: LocalFunction,
  event: Buffer | undefined,
): Promise<void> {
  const { config } = fn;
  const fronts = frontsOf(args);
  const region = defaultRegion(ctx.env, config);
  const env = {
    ...lambdaEnvironment({ functionName: config.functionName, memorySizeMb: config.memorySize, region }),
    ...config.environment,
    ...(await readEnvFile(args['env-file'], ctx.cwd)),
    ...parseKeyValues(args.env, 'env', ctx.env),
    ...(args['pass-aws-credentials'] ? await awsCredentials(region, config.profile, ctx.env) : {}),
    ...extensionsEnv(args, config),
  };
  const count = fronts ? args.concurrency : 1;
  const inspect = inspectSettings(args);
  if (inspect && (args.watch || count > 1))
    throw new UserError(
      `--inspect runs one environment: it cannot be given with ${args.watch ? '--watch' : '--concurrency'}`,
      {
        exitCode: ExitCode.usage,
        hint: args.watch ? 'drop --watch while debugging' : 'drop --concurrency (one inspector port, one environment)',
      },
    );
  // The emulator and its servers load when environments start, after the build's first line.
  const startEnvironments = async (launcher: RuntimeLauncher, network: ContainerNetwork) =>
    (await import('../local/execution/environment-set.js')).startEnvironmentSet({
      launcher,
      count,
      functionName: config.functionName,
      region,
      timeout: config.timeout,
      memorySizeMb: config.memorySize,
      host: network === 'gateway' ? '0.0.0.0' : '127.0.0.1',
      out: ctx.out,
      noTimeout: inspect !== undefined,
      handler: config.handler,
    });

  if (args.watch) {
    // Loaded only for --watch: esbuild's watch and the reload machinery are not for one-shot runs.
    const { watchFunction } = await import('../local/reload/watch.js');
    const runtime = await watchRuntime(args, ctx, fn, env);
    return watchFunction({
      config,
      out: ctx.out,
      signal: ctx.signal,
      runtime,
      bundle: args.bundle,
      startEnvironments: (launcher) => startEnvironments(launcher, runtime.network),
      ...(fronts
        ? {
            ...(fronts.serve !== undefined ? { serve: { port: fronts.serve, concurrency: count } } : {}),
            ...(fronts.http ? { http: { ...fronts.http, concurrency: count } } : {}),
          }
        : {
            invocation: {
              event: event!,
              repeat: args.repeat,
              sink: responseSink(ctx.out),
              show: (result) => renderWatchResult(ctx.out, result),
            },
          }),
    });
  }

  // One cleanup, shared by Ctrl-C and the end of the command, so that both wait for every removal.
  const cleanups = createCleanup();
  const onAbort = () => void cleanups.run();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const { launcher, network } = await prepareLauncher(args, ctx, fn, env, cleanups, inspect);
    const environments = await startEnvironments(launcher, network);
    cleanups.push(() => environments.stop());
    if (ctx.signal.aborted) throw interrupted();

    if (fronts) await serve(fronts, config, environments.pool, ctx, cleanups);
    else await invokeRepeatedly(event!, args.repeat, environments.pool, ctx);
  } catch (error) {
    if (ctx.signal.aborted && !isUserError(error)) throw interrupted();
    throw error;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await cleanups.run();
  }
}

async function invokeRepeatedly(
  event: Buffer,
  repeat: number,
  pool: EnvironmentPool,
  ctx: CommandContext,
): Promise<void> {
  const results: EnvironmentResult[] = [];
  for (let index = 0; index < repeat; index++) {
    if (ctx.signal.aborted) throw interrupted();
    const result = await pool.invoke(event, { ...responseSink(ctx.out), completeLogs: true });
    results.push(result);
    printResponse(ctx.out, result);
  }
  renderRun(ctx.out, results);
}

/** The fronts a warm function is served behind: the Invoke API (--serve), an HTTP front (--http), or both. */
interface Fronts {
  serve?: number;
  http?: { port: number; format: HttpFormat };
}

function frontsOf(args: InvokeLocalFlags): Fronts | undefined {
  if (args.serve === undefined && args.http === undefined) return undefined;
  return {
    ...(args.serve !== undefined ? { serve: args.serve } : {}),
    ...(args.http !== undefined ? { http: { port: args.http, format: args['http-format'] } } : {}),
  };
}

async function serve(
  fronts: Fronts,
  config: ResolvedConfig,
  pool: EnvironmentPool,
  ctx: CommandContext,
  cleanups: Cleanup,
): Promise<void> {
  // Warm every environment now, so the first caller does not pay for the cold starts.
  await ctx.out.step(
    `Starting ${pool.environments.length} warm environment${pool.environments.length > 1 ? 's' : ''}`,
    () => Promise.all(pool.environments.map((environment) => environment.warm())),
  );
  if (fronts.serve !== undefined) {
    const { startServing } = await import('../local/serving.js');
    const server = await startServing({
      port: fronts.serve,
      functionName: config.functionName,
      concurrency: pool.environments.length,
      invoker: pool,
      out: ctx.out,
    });
    cleanups.push(() => server.close());
  }
  if (fronts.http) {
    const { startHttpServing } = await import('../local/http-front/serving.js');
    const front = await startHttpServing({
      ...fronts.http,
      functionName: config.functionName,
      concurrency: pool.environments.length,
      invoker: pool,
      out: ctx.out,
    });
    cleanups.push(() => front.close());
  }
  if (!ctx.signal.aborted)
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
}

/** The same runtime loop, on the host, over a task root holding the handler as the image would have it. */
function hostLauncher(
  config: ResolvedConfig,
  env: Record<string, string>,
  ctx: CommandContext,
  taskRoot: string,
  handler = config.handler,
  inspect?: InspectSettings,
): RuntimeLauncher {
  if (inspect) ctx.out.info(debuggerInstructions(inspect, debuggerMapping(config, taskRoot)));
  const inspectArgs = inspect ? [inspectFlag(inspect), '--enable-source-maps'] : [];
  return hostProcessLauncher({
    command: [process.execPath, ...inspectArgs, join(RUNTIME_SOURCE_DIR, RUNTIME_ENTRY), handler],
    cwd: taskRoot,
    env: { PATH: ctx.env.PATH ?? '', ...env },
  });
}

async function prepareLauncher(
  args: InvokeLocalFlags,
  ctx: CommandContext,
  { config, buildConfig, cmd }: LocalFunction,
  env: Record<string, string>,
  cleanups: Cleanup,
  inspect?: InspectSettings,
): Promise<{ launcher: RuntimeLauncher; network: ContainerNetwork }> {
  if (!args.docker) {
    // A program runs from the folder itself: nothing to bundle.
    if (config.program)
      return {
        launcher: hostLauncher(
          config,
          { ...env, ...programHostEnv(config.program) },
          ctx,
          config.context,
          config.handler,
          inspect,
        ),
        network: 'host',
      };
    const shipped = await ctx.out.step(args.bundle === false ? 'Checking the handler' : 'Bundling the handler', () =>
      bundleForTaskRoot(config, { bundle: args.bundle }),
    );
    if (shipped.kind === 'unbundled') {
      // The folder itself is the task root: the handler loads exactly as written.
      if (args.bundle !== false) ctx.out.warn(`running the function unbundled: ${shipped.reason}`);
      return { launcher: hostLauncher(config, env, ctx, config.context, config.handler, inspect), network: 'host' };
    }
    const taskRoot = await mkdtemp(join(tmpdir(), 'tslambda-task-'));
    cleanups.push(() => rm(taskRoot, { recursive: true, force: true }));
    await writeBundle(shipped.result, taskRoot);
    return {
      launcher: hostLauncher(config, env, ctx, taskRoot, shipped.result.handler, inspect),
      network: 'host',
    };
  }
  let image = args.image;
  if (!image && args.build) image = (await buildFromFlags(ctx, buildConfig, args)).name;
  // After the build, whose step shows before the Docker client loads; the build's connection is reused.
  const docker = await ctx.docker();
  image ??= `${buildConfig.repository}:${buildConfig.tag ?? 'latest'}`;
  if (!(await imageExists(docker, image))) {
    throw new UserError(`image ${image} is not in the local engine`, {
      hint: args.image
        ? 'build or pull it first, or drop --image to let invoke-local build'
        : 'drop --no-build, or run `tslambda build` first',
    });
  }
  const network = await chooseNetwork(docker);
  ctx.out.debug(
    `running ${image} with ${network === 'host' ? 'host networking' : 'host.docker.internal (host-gateway)'}`,
  );
  if (!inspect)
    return {
      launcher: containerLauncher(docker, { image, env, memorySizeMb: config.memorySize, network, cmd }),
      network,
    };
  ctx.out.info(debuggerInstructions(inspect, debuggerMapping(config, TASK_ROOT)));
  // On a bridge the inspector must listen on the container's interfaces; the published port keeps the user's host.
  const flag = inspectFlag(inspect, network === 'gateway' ? '0.0.0.0' : inspect.host);
  const inspectEnv = {
    NODE_OPTIONS: inspectNodeOptions(await imageNodeOptions(docker, image), flag),
    [INSPECT_ENV]: '1',
  };
  return {
    launcher: containerLauncher(docker, {
      image,
      env: { ...env, ...inspectEnv },
      memorySizeMb: config.memorySize,
      network,
      cmd,
      publish: { port: inspect.port, host: inspect.host },
    }),
    network,
  };
}

function debuggerMapping(config: ResolvedConfig, remoteRoot: string) {
  return { localRoot: config.context, remoteRoot, timeoutSeconds: config.timeout };
}

/** Where the runtime finds extensions to start: the image's /opt/extensions, or the layer folders' on the host. */
function extensionsEnv(args: InvokeLocalFlags, config: ResolvedConfig): Record<string, string> {
  if (args.docker) return { [EXTENSIONS_DIR_ENV]: `${LAYERS_IMAGE_DIR}/extensions` };
  const folders = layerFolders(config).map((folder) => join(folder, 'extensions'));
  return folders.length > 0 ? { [EXTENSIONS_DIR_ENV]: folders.join(':') } : {};
}

/** What --watch rebuilds and runs: a host task root, or images built by the build step. */
async function watchRuntime(
  args: InvokeLocalFlags,
  ctx: CommandContext,
  { config, buildConfig, cmd }: LocalFunction,
  env: Record<string, string>,
): Promise<WatchRuntime & { network: ContainerNetwork }> {
  if (!args.docker)
    return { kind: 'host', network: 'host', launcherFor: (taskRoot) => hostLauncher(config, env, ctx, taskRoot) };
  const docker = await ctx.docker();
  const network = await chooseNetwork(docker);
  return {
    kind: 'docker',
    network,
    docker,
    build: () => buildFromFlags(ctx, buildConfig, args),
    launcherFor: (image) => containerLauncher(docker, { image, env, memorySizeMb: config.memorySize, network, cmd }),
  };
}

async function readEvent(args: InvokeLocalFlags, ctx: CommandContext): Promise<Buffer> {
  let event: Buffer;
  let source: string;
  if (args.data !== undefined) {
    event = Buffer.from(args.data);
    source = '--data';
  } else if (args.event !== undefined && args.event !== '-') {
    event = await readFile(resolve(ctx.cwd, args.event)).catch((error: NodeJS.ErrnoException) => {
      throw new UserError(
        `cannot read the event file ${args.event}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
        { hint: 'pass --event with a JSON file, --data with inline JSON, or pipe the event on stdin' },
      );
    });
    source = args.event;
  } else if (args.event === '-' || !(ctx.stdin as { isTTY?: boolean }).isTTY) {
    event = await readAll(ctx.stdin);
    source = 'stdin';
  } else {
    event = Buffer.alloc(0);
    source = '';
  }
  if (event.toString().trim() === '') return Buffer.from('{}');
  try {
    JSON.parse(event.toString());
  } catch (error) {
    throw new UserError(`the event from ${source} is not valid JSON: ${(error as Error).message}`, {
      hint: 'Lambda events are JSON documents, e.g. --data \'{"id":1}\'',
    });
  }
  return event;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

async function readEnvFile(file: string | undefined, cwd: string): Promise<Record<string, string>> {
  if (file === undefined) return {};
  const text = await readFile(resolve(cwd, file), 'utf8').catch((error: Error) => {
    throw new UserError(`cannot read --env-file ${file}: ${error.message}`, { hint: 'pass a file of KEY=value lines' });
  });
  const { variables, badLines } = parseEnvFile(text);
  if (badLines.length > 0) {
    throw new UserError(
      `--env-file ${file}: line${badLines.length > 1 ? 's' : ''} ${badLines.join(', ')} ${badLines.length > 1 ? 'are' : 'is'} not KEY=value`,
      { hint: 'write one KEY=value per line; # starts a comment' },
    );
  }
  return variables;
}
