// Where invoke-local runs the function: the image in the local engine (built first unless --no-build or --image),
// or with --no-docker the runtime loop on the host over a task root holding the handler as the image would have it.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from '../../core/cleanup.js';
import { UserError } from '../../core/errors.js';
import type { ResolvedConfig } from '../../config/types.js';
import { LAYERS_IMAGE_DIR } from '../../image/layers.js';
import { RUNTIME_ENTRY, RUNTIME_SOURCE_DIR, TASK_ROOT } from '../../image/runtime-asset.js';
import { layerFolders } from '../../pipeline/layers.js';
import { EXTENSIONS_DIR_ENV } from '../../local/api/extensions-dir.js';
import type { ContainerNetwork } from '../../local/execution/docker-launcher.js';
import { hostProcessLauncher } from '../../local/execution/host-process.js';
import { INSPECT_ENV, inspectFlag, inspectNodeOptions, type InspectSettings } from '../../local/execution/inspector.js';
import type { RuntimeLauncher } from '../../local/execution/launcher.js';
import { programHostEnv } from '../../local/execution/program-host.js';
import type { WatchRuntime } from '../../local/reload/watch.js';
import { buildFromFlags } from '../build-flags.js';
import type { ArgsOf, CommandContext } from '../types.js';
import { debuggerInstructions } from './debugger.js';
import type { LocalFunction } from './functions.js';

type InvokeLocalFlags = ArgsOf<'invoke-local'>;

export interface PreparedLauncher {
  launcher: RuntimeLauncher;
  network: ContainerNetwork;
}

/** The launcher of a run without --watch; a task root it writes is removed by `cleanups`. */
export async function prepareLauncher(
  args: InvokeLocalFlags,
  ctx: CommandContext,
  fn: LocalFunction,
  env: Record<string, string>,
  cleanups: Cleanup,
  inspect?: InspectSettings,
): Promise<PreparedLauncher> {
  if (!args.docker)
    return { launcher: await prepareHostLauncher(args, ctx, fn, env, cleanups, inspect), network: 'host' };
  return prepareContainerLauncher(args, ctx, fn, env, inspect);
}

async function prepareHostLauncher(
  args: InvokeLocalFlags,
  ctx: CommandContext,
  { config }: LocalFunction,
  env: Record<string, string>,
  cleanups: Cleanup,
  inspect?: InspectSettings,
): Promise<RuntimeLauncher> {
  // A program runs from the folder itself: nothing to bundle.
  if (config.program)
    return hostLauncher(
      config,
      { ...env, ...programHostEnv(config.program) },
      ctx,
      config.context,
      config.handler,
      inspect,
    );
  // The bundler loads inside its step, after the step's line.
  const { bundleForTaskRoot, writeBundle } = await import('../../pipeline/write-bundle.js');
  const shipped = await ctx.out.step(args.bundle === false ? 'Checking the handler' : 'Bundling the handler', () =>
    bundleForTaskRoot(config, { bundle: args.bundle }),
  );
  if (shipped.kind === 'unbundled') {
    // The folder itself is the task root: the handler loads exactly as written.
    if (args.bundle !== false) ctx.out.warn(`running the function unbundled: ${shipped.reason}`);
    return hostLauncher(config, env, ctx, config.context, config.handler, inspect);
  }
  const taskRoot = await mkdtemp(join(tmpdir(), 'tslambda-task-'));
  cleanups.push(() => rm(taskRoot, { recursive: true, force: true }));
  await writeBundle(shipped.result, taskRoot);
  return hostLauncher(config, env, ctx, taskRoot, shipped.result.handler, inspect);
}

async function prepareContainerLauncher(
  args: InvokeLocalFlags,
  ctx: CommandContext,
  { config, buildConfig, cmd }: LocalFunction,
  env: Record<string, string>,
  inspect?: InspectSettings,
): Promise<PreparedLauncher> {
  let image = args.image;
  if (!image && args.build) image = (await buildFromFlags(ctx, buildConfig, args)).name;
  // After the build, whose step shows before the Docker client loads; the build's connection is reused.
  const docker = await ctx.docker();
  const { chooseNetwork, containerLauncher, imageExists, imageNodeOptions } = await import(
    '../../local/execution/docker-launcher.js'
  );
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
  const container = { image, env, memorySizeMb: config.memorySize, network, cmd };
  if (!inspect) return { launcher: containerLauncher(docker, container), network };
  ctx.out.info(debuggerInstructions(inspect, debuggerMapping(config, TASK_ROOT)));
  // On a bridge the inspector must listen on the container's interfaces; the published port keeps the user's host.
  const flag = inspectFlag(inspect, network === 'gateway' ? '0.0.0.0' : inspect.host);
  const inspectEnv = {
    NODE_OPTIONS: inspectNodeOptions(await imageNodeOptions(docker, image), flag),
    [INSPECT_ENV]: '1',
  };
  return {
    launcher: containerLauncher(docker, {
      ...container,
      env: { ...env, ...inspectEnv },
      publish: { port: inspect.port, host: inspect.host },
    }),
    network,
  };
}

/** What --watch rebuilds and runs: a host task root, or images built by the build step. */
export async function watchRuntime(
  args: InvokeLocalFlags,
  ctx: CommandContext,
  { config, buildConfig, cmd }: LocalFunction,
  env: Record<string, string>,
): Promise<WatchRuntime & { network: ContainerNetwork }> {
  if (!args.docker)
    return { kind: 'host', network: 'host', launcherFor: (taskRoot) => hostLauncher(config, env, ctx, taskRoot) };
  const docker = await ctx.docker();
  const { chooseNetwork, containerLauncher } = await import('../../local/execution/docker-launcher.js');
  const network = await chooseNetwork(docker);
  return {
    kind: 'docker',
    network,
    docker,
    build: () => buildFromFlags(ctx, buildConfig, args),
    launcherFor: (image) => containerLauncher(docker, { image, env, memorySizeMb: config.memorySize, network, cmd }),
  };
}

/** Where the runtime finds extensions to start: the image's /opt/extensions, or the layer folders' on the host. */
export function extensionsEnv(args: InvokeLocalFlags, config: ResolvedConfig): Record<string, string> {
  if (args.docker) return { [EXTENSIONS_DIR_ENV]: `${LAYERS_IMAGE_DIR}/extensions` };
  const folders = layerFolders(config).map((folder) => join(folder, 'extensions'));
  return folders.length > 0 ? { [EXTENSIONS_DIR_ENV]: folders.join(':') } : {};
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

function debuggerMapping(config: ResolvedConfig, remoteRoot: string) {
  return { localRoot: config.context, remoteRoot, timeoutSeconds: config.timeout };
}
