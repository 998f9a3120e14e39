// `tslambda invoke-local` (and `tslambda dev`): runs the function's image (or, with --no-docker, the runtime loop
// on the host) against the Runtime API emulator, printing logs like Lambda and the response on stdout; --serve
// keeps it warm behind a local Invoke API; --watch rebuilds and re-runs it on every change (src/local/watch.ts).

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { ExitCode, UserError, isUserError } from '../cli/errors.js';
import type { ResolvedConfig } from '../config/types.js';
import { bundleForTaskRoot, writeBundle } from '../bundle/write.js';
import { chooseNetwork, containerLauncher, type ContainerNetwork } from '../docker/run.js';
import { RUNTIME_ENTRY, RUNTIME_SOURCE_DIR } from '../docker/runtime-asset.js';
import type { EnvironmentResult, RuntimeLauncher } from '../local/environment.js';
import { startEnvironmentSet } from '../local/environment-set.js';
import { hostProcessLauncher } from '../local/host-process.js';
import { programHostEnv } from '../local/program-host.js';
import { lambdaEnvironment, parseEnvFile } from '../local/lambda-env.js';
import { describeResult, failureHint, failureMessage, interrupted, resultExitCode } from '../local/outcome.js';
import type { EnvironmentPool } from '../local/pool.js';
import { startServing } from '../local/serving.js';
import type { WatchRuntime } from '../local/watch.js';
import { buildStep } from './build.js';
import { buildOverrides, parseKeyValues, withBuildFlags, type BuildFlags } from './build-flags.js';
import { defineCommand, type CommandContext, type GlobalArgs } from './types.js';

export interface InvokeLocalFlags extends BuildFlags {
  event?: string;
  data?: string;
  build: boolean;
  image?: string;
  env?: string[];
  'env-file'?: string;
  'pass-aws-credentials': boolean;
  repeat: number;
  serve?: number;
  concurrency: number;
  docker: boolean;
  watch: boolean;
}

export const DEFAULT_SERVE_PORT = 9000;

type RunFlags = Pick<InvokeLocalFlags, 'env' | 'env-file' | 'pass-aws-credentials' | 'serve' | 'concurrency' | 'docker'>;

/** How the function runs (its environment, --serve, --no-docker); shared by invoke-local and dev. */
function withRunOptions<T>(yargs: Argv<T>): Argv<T & RunFlags> {
  return (yargs as unknown as Argv)
    .option('env', { type: 'string', array: true, describe: 'Function environment variable K=V (repeatable; K alone takes its value from here)', requiresArg: true })
    .option('env-file', { type: 'string', describe: 'File of KEY=value lines for the function environment', requiresArg: true })
    .option('pass-aws-credentials', { type: 'boolean', default: false, describe: 'Give the function your AWS credentials (from the usual chain and --profile)' })
    .option('serve', { type: 'number', describe: `Keep the function warm behind the Lambda Invoke API on localhost:PORT (default ${DEFAULT_SERVE_PORT})`, coerce: (value: unknown) => (value === '' || value === true || value === undefined ? DEFAULT_SERVE_PORT : Number(value)) })
    .option('concurrency', { type: 'number', default: 1, describe: 'With --serve: number of warm environments' })
    .option('docker', { type: 'boolean', default: true, describe: 'Run in the image (--no-docker: run the runtime loop as a host process)' })
    .check((args) => {
      if (!Number.isInteger(args.concurrency) || (args.concurrency as number) < 1) throw new Error('--concurrency must be a whole number of at least 1');
      if (args.serve !== undefined && (!Number.isInteger(args.serve) || (args.serve as number) < 0 || (args.serve as number) > 65535)) throw new Error('--serve takes a port between 0 and 65535');
      return true;
    }) as unknown as Argv<T & RunFlags>;
}

export const invokeLocalCommand = defineCommand<InvokeLocalFlags>({
  command: 'invoke-local',
  describe: 'Run the function locally against a Lambda Runtime API emulator (in its container, or as a host process)',
  examples: [
    ['$0 invoke-local --data \'{"id":1}\'', 'build, then invoke once with an inline event'],
    ['$0 invoke-local --event event.json --repeat 3', 'invoke three times in one warm container (cold, then warm)'],
    ['echo \'{}\' | $0 invoke-local --no-build --json', 'invoke the last built image with the event on stdin, print JSON'],
    ['$0 invoke-local --serve 9000 --concurrency 2', 'keep two warm containers behind the Invoke API on localhost:9000'],
    ['$0 invoke-local --no-docker --env STAGE=dev', 'run the bundled handler as a host process, without Docker'],
    ['$0 invoke-local --watch --data \'{"id":1}\'', 'rebuild, restart and invoke again on every change'],
  ],
  builder: (yargs) =>
    withRunOptions(withBuildFlags(yargs) as unknown as Argv)
      .option('event', { type: 'string', describe: 'JSON file holding the event ("-" for stdin)', requiresArg: true, conflicts: 'data' })
      .option('data', { type: 'string', describe: 'The event as inline JSON', requiresArg: true })
      .option('build', { type: 'boolean', default: true, describe: 'Build the image first (--no-build uses the last one)' })
      .option('image', { type: 'string', describe: 'Run this image instead of building one', requiresArg: true })
      .option('repeat', { type: 'number', default: 1, describe: 'Invoke N times in the same warm environment' })
      .option('watch', { type: 'boolean', default: false, describe: 'On every change: rebuild, restart, and invoke again (or keep serving the new code); Ctrl-C to stop' })
      .check((args) => {
        if (!Number.isInteger(args.repeat) || (args.repeat as number) < 1) throw new Error('--repeat must be a whole number of at least 1');
        if (args.watch && (args.image !== undefined || args.build === false)) throw new Error('--watch rebuilds on every change: drop --image and --no-build');
        return true;
      }) as unknown as Argv<InvokeLocalFlags & GlobalArgs>,
  handler: runInvokeLocal,
});

/** `tslambda dev` = `invoke-local --watch --serve`: the inner loop for a function called over the Invoke API. */
export const devCommand = defineCommand<InvokeLocalFlags>({
  command: 'dev',
  describe: 'Serve the function on the local Invoke API and reload it on every change (invoke-local --watch --serve)',
  examples: [
    ['$0 dev', `serve on localhost:${DEFAULT_SERVE_PORT}; each save rebuilds, and the next call gets the new code`],
    ['$0 dev --no-docker --serve 3001', 'the same with the runtime as a host process, on port 3001'],
  ],
  builder: (yargs) => withRunOptions(withBuildFlags(yargs)) as unknown as Argv<InvokeLocalFlags & GlobalArgs>,
  handler: (args, ctx) => runInvokeLocal({ ...args, watch: true, build: true, repeat: 1, serve: args.serve ?? DEFAULT_SERVE_PORT }, ctx),
});

async function runInvokeLocal(args: InvokeLocalFlags & GlobalArgs, ctx: CommandContext): Promise<void> {
  const config = await ctx.loadConfig(buildOverrides(args, ctx.env));
  const event = args.serve === undefined ? await readEvent(args, ctx) : undefined;
  const region = config.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const env = {
    ...lambdaEnvironment({ functionName: config.functionName, memorySizeMb: config.memorySize, region }),
    ...config.environment,
    ...(await readEnvFile(args['env-file'], ctx.cwd)),
    ...parseKeyValues(args.env, 'env', ctx.env),
    ...(args['pass-aws-credentials'] ? await awsCredentials(region, config.profile, ctx.env) : {}),
  };
  const count = args.serve === undefined ? 1 : args.concurrency;
  const startEnvironments = (launcher: RuntimeLauncher, network: ContainerNetwork) =>
    startEnvironmentSet({
      launcher,
      count,
      functionName: config.functionName,
      region,
      timeout: config.timeout,
      memorySizeMb: config.memorySize,
      host: network === 'gateway' ? '0.0.0.0' : '127.0.0.1',
      out: ctx.out,
    });

  if (args.watch) {
    // Loaded only for --watch: esbuild's watch and the reload machinery are not for one-shot runs.
    const { watchFunction } = await import('../local/watch.js');
    const runtime = await watchRuntime(args, ctx, config, env);
    return watchFunction({
      config,
      out: ctx.out,
      signal: ctx.signal,
      runtime,
      bundle: args.bundle,
      startEnvironments: (launcher) => startEnvironments(launcher, runtime.network),
      ...(args.serve === undefined ? { invocation: { event: event!, repeat: args.repeat } } : { serve: { port: args.serve, concurrency: count } }),
    });
  }

  const cleanups: Array<() => Promise<unknown>> = [];
  // One cleanup, shared by Ctrl-C and the end of the command, so that both wait for every removal.
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
    })());
  const onAbort = () => void cleanup();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const { launcher, network } = await prepareLauncher(args, ctx, config, env, cleanups);
    const environments = await startEnvironments(launcher, network);
    cleanups.push(() => environments.stop());
    if (ctx.signal.aborted) throw interrupted();

    if (args.serve !== undefined) await serve(args.serve, config, environments.pool, ctx, cleanups);
    else await invokeRepeatedly(event!, args.repeat, environments.pool, ctx);
  } catch (error) {
    if (ctx.signal.aborted && !isUserError(error)) throw interrupted();
    throw error;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await cleanup();
  }
}

async function invokeRepeatedly(event: Buffer, repeat: number, pool: EnvironmentPool, ctx: CommandContext): Promise<void> {
  const results: EnvironmentResult[] = [];
  for (let index = 0; index < repeat; index++) {
    if (ctx.signal.aborted) throw interrupted();
    const sink = ctx.out.json ? {} : { streamTo: ctx.out.stdout as NodeJS.WritableStream & import('node:stream').Writable };
    const result = await pool.invoke(event, { ...sink, completeLogs: true });
    results.push(result);
    // Exactly the function's bytes, as Lambda returns them; a streamed response has already gone out.
    if (!ctx.out.json && !result.streamed) ctx.out.stdout.write(result.payload);
  }
  const last = results.at(-1)!;
  const failed = results.find((result) => result.outcome !== 'success');
  const summary = { invocations: results.map(describeResult) };
  if (!failed) {
    // Human output is already complete (logs on stderr, the response on stdout); --json adds the summary.
    if (ctx.out.json) ctx.out.result('', { ok: true, ...describeResult(last), ...(repeat > 1 ? summary : {}) });
    return;
  }
  throw new UserError(failureMessage(failed), {
    exitCode: resultExitCode(failed),
    hint: failureHint(failed),
    details: { ...describeResult(failed), ...(repeat > 1 ? summary : {}) },
  });
}

async function serve(port: number, config: ResolvedConfig, pool: EnvironmentPool, ctx: CommandContext, cleanups: Array<() => Promise<unknown>>): Promise<void> {
  // Warm every environment now, so the first caller does not pay for the cold starts.
  await ctx.out.step(`Starting ${pool.environments.length} warm environment${pool.environments.length > 1 ? 's' : ''}`, () => Promise.all(pool.environments.map((environment) => environment.warm())));
  const server = await startServing({ port, functionName: config.functionName, concurrency: pool.environments.length, invoke: (payload, options) => pool.invoke(payload, options), out: ctx.out });
  cleanups.push(() => server.close());
  if (!ctx.signal.aborted) await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
}

/** The same runtime loop, on the host, over a task root holding the handler as the image would have it. */
function hostLauncher(config: ResolvedConfig, env: Record<string, string>, ctx: CommandContext, taskRoot: string, handler = config.handler): RuntimeLauncher {
  return hostProcessLauncher({
    command: [process.execPath, join(RUNTIME_SOURCE_DIR, RUNTIME_ENTRY), handler],
    cwd: taskRoot,
    env: { PATH: ctx.env.PATH ?? '', ...env },
  });
}

async function prepareLauncher(
  args: InvokeLocalFlags,
  ctx: CommandContext,
  config: ResolvedConfig,
  env: Record<string, string>,
  cleanups: Array<() => Promise<unknown>>,
): Promise<{ launcher: RuntimeLauncher; network: ContainerNetwork }> {
  if (!args.docker) {
    // A program runs from the folder itself: nothing to bundle.
    if (config.program) return { launcher: hostLauncher(config, { ...env, ...programHostEnv(config.program) }, ctx, config.context), network: 'host' };
    const shipped = await ctx.out.step(args.bundle === false ? 'Checking the handler' : 'Bundling the handler', () => bundleForTaskRoot(config, { bundle: args.bundle }));
    if (shipped.kind === 'unbundled') {
      // The folder itself is the task root: the handler loads exactly as written.
      if (args.bundle !== false) ctx.out.warn(`running the function unbundled: ${shipped.reason}`);
      return { launcher: hostLauncher(config, env, ctx, config.context), network: 'host' };
    }
    const taskRoot = await mkdtemp(join(tmpdir(), 'tslambda-task-'));
    cleanups.push(() => rm(taskRoot, { recursive: true, force: true }));
    await writeBundle(shipped.result, taskRoot);
    return { launcher: hostLauncher(config, env, ctx, taskRoot, shipped.result.handler), network: 'host' };
  }
  const docker = await ctx.docker();
  let image = args.image;
  if (!image && args.build) image = (await buildStep(ctx, config, args)).name;
  image ??= `${config.repository}:${config.tag ?? 'latest'}`;
  const exists = await docker.getImage(image).inspect().then(() => true, () => false);
  if (!exists) {
    throw new UserError(`image ${image} is not in the local engine`, {
      hint: args.image ? 'build or pull it first, or drop --image to let invoke-local build' : 'drop --no-build, or run `tslambda build` first',
    });
  }
  const network = await chooseNetwork(docker);
  ctx.out.debug(`running ${image} with ${network === 'host' ? 'host networking' : 'host.docker.internal (host-gateway)'}`);
  return { launcher: containerLauncher(docker, { image, env, memorySizeMb: config.memorySize, network }), network };
}

/** What --watch rebuilds and runs: a host task root, or images built by the build step. */
async function watchRuntime(args: InvokeLocalFlags, ctx: CommandContext, config: ResolvedConfig, env: Record<string, string>): Promise<WatchRuntime & { network: ContainerNetwork }> {
  if (!args.docker) return { kind: 'host', network: 'host', launcherFor: (taskRoot) => hostLauncher(config, env, ctx, taskRoot) };
  const docker = await ctx.docker();
  const network = await chooseNetwork(docker);
  return {
    kind: 'docker',
    network,
    docker,
    build: () => buildStep(ctx, config, args),
    launcherFor: (image) => containerLauncher(docker, { image, env, memorySizeMb: config.memorySize, network }),
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
      throw new UserError(`cannot read the event file ${args.event}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`, { hint: 'pass --event with a JSON file, --data with inline JSON, or pipe the event on stdin' });
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
    throw new UserError(`the event from ${source} is not valid JSON: ${(error as Error).message}`, { hint: 'Lambda events are JSON documents, e.g. --data \'{"id":1}\'' });
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
  const text = await readFile(file.startsWith('/') ? file : join(cwd, file), 'utf8').catch((error: Error) => {
    throw new UserError(`cannot read --env-file ${file}: ${error.message}`, { hint: 'pass a file of KEY=value lines' });
  });
  const { variables, badLines } = parseEnvFile(text);
  if (badLines.length > 0) {
    throw new UserError(`--env-file ${file}: line${badLines.length > 1 ? 's' : ''} ${badLines.join(', ')} ${badLines.length > 1 ? 'are' : 'is'} not KEY=value`, { hint: 'write one KEY=value per line; # starts a comment' });
  }
  return variables;
}

/** The command's environment first, else the SDK's default chain (--profile, SSO, …); never printed. */
async function awsCredentials(region: string, profile: string | undefined, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && !profile) {
    return {
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { AWS_SESSION_TOKEN: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  // The SDK is loaded only when credentials are asked for: it costs start-up time every other run would pay.
  const { LambdaClient } = await import('@aws-sdk/client-lambda');
  const client = new LambdaClient({ region, ...(profile ? { profile } : {}) });
  try {
    const credentials = await client.config.credentials();
    return {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
    };
  } catch (error) {
    throw new UserError('--pass-aws-credentials: no AWS credentials were found', {
      exitCode: ExitCode.awsError,
      hint: 'set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, pass --profile, or log in with `aws sso login`',
      cause: error,
    });
  } finally {
    client.destroy();
  }
}

