// `tslambda invoke-local` (and `tslambda dev`): runs the function's image (or, with --no-docker, the runtime loop
// on the host) against the Runtime API emulator, printing logs like Lambda and the response on stdout; --serve
// keeps it warm behind a local Invoke API; --watch rebuilds and re-runs it on every change (src/local/reload/watch.ts).
// This file wires the flags to those paths: where it runs (./invoke-local/launchers.ts), what it reads
// (./invoke-local/inputs.ts), one event or warm fronts (src/local/warm-run.ts), and how results show (./render.ts).

import { ExitCode, UserError } from '../core/errors.js';
import { defaultRegion } from '../aws/region.js';
import { DEFAULT_SERVE_PORT } from '../config/options.js';
import { awsCredentials } from '../local/execution/aws-credentials.js';
import { inspectSettings, type InspectSettings } from '../local/execution/inspector.js';
import type { RuntimeLauncher } from '../local/execution/launcher.js';
import { lambdaEnvironment } from '../local/execution/lambda-env.js';
import type { ContainerNetwork } from '../local/execution/docker-launcher.js';
import { warmRun } from '../local/warm-run.js';
import { printResponse, renderRun, renderWatchResult, responseSink } from './invoke-local/render.js';
import { localFunctions, type LocalFunction } from './invoke-local/functions.js';
import { frontsOf, readEnvFile, readEvent } from './invoke-local/inputs.js';
import { extensionsEnv, prepareLauncher, watchRuntime } from './invoke-local/launchers.js';
import { parseKeyValues } from './build-flags.js';
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
  const inspect = checkedInspect(args, count);
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

  return warmRun({
    functionName: config.functionName,
    out: ctx.out,
    signal: ctx.signal,
    start: async (cleanups) => {
      const { launcher, network } = await prepareLauncher(args, ctx, fn, env, cleanups, inspect);
      return startEnvironments(launcher, network);
    },
    ...(fronts
      ? { fronts }
      : {
          oneShot: {
            event: event!,
            repeat: args.repeat,
            sink: responseSink(ctx.out),
            show: (result) => printResponse(ctx.out, result),
            finish: (results) => renderRun(ctx.out, results),
          },
        }),
  });
}

/** --inspect, when given: one inspector port is one environment, so it excludes --watch and --concurrency. */
function checkedInspect(args: InvokeLocalFlags, count: number): InspectSettings | undefined {
  const inspect = inspectSettings(args);
  if (inspect && (args.watch || count > 1))
    throw new UserError(
      `--inspect runs one environment: it cannot be given with ${args.watch ? '--watch' : '--concurrency'}`,
      {
        exitCode: ExitCode.usage,
        hint: args.watch ? 'drop --watch while debugging' : 'drop --concurrency (one inspector port, one environment)',
      },
    );
  return inspect;
}
