// Builds the context every command runs with: the output, the environment, the folder, and the engine and
// configuration, each opened only when the command first asks for it.
import type Docker from 'dockerode';
import { configOverrides } from '../config/flags.js';
import type { CommandName, GlobalArgs } from '../config/options.js';
import type { LoadedProject } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Output } from '../core/output.js';
import type { CommandContext } from './types.js';

export interface ContextInputs {
  name: CommandName;
  /** The parsed flags of the command: --config and the flags that override the configuration. */
  args: GlobalArgs & Record<string, unknown>;
  out: Output;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: NodeJS.ReadableStream;
  signal: AbortSignal;
}

export function createCommandContext({ name, args, out, env, cwd, stdin, signal }: ContextInputs): CommandContext {
  let docker: Promise<Docker> | undefined;
  let project: Promise<LoadedProject> | undefined;
  const loadProject = async (overrides: Partial<ResolvedConfig> = {}) => {
    const { loadProject } = await import('../config/load.js');
    return loadProject({
      cwd,
      configPath: args.config,
      env,
      overrides: { ...configOverrides(name, args, env), ...overrides },
    });
  };
  const loadConfig = async (overrides: Partial<ResolvedConfig> = {}) => {
    const { loadConfig } = await import('../config/load.js');
    return loadConfig({
      cwd,
      configPath: args.config,
      env,
      overrides: { ...configOverrides(name, args, env), ...overrides },
    });
  };
  // The engine is chosen by --docker-context or the config's dockerContext before DOCKER_HOST and docker's own choice.
  // dockerContext is read from the project's first function: one engine serves every function of a run.
  const connect = async () => {
    const [{ connectDocker }, { functions }] = await Promise.all([
      import('../docker/client.js'),
      (project ??= loadProject()),
    ]);
    const { dockerContext, configFile } = functions[0]!;
    const chosenBy = args['docker-context'] !== undefined ? '--docker-context' : `dockerContext in ${configFile}`;
    return connectDocker(env, {
      context: dockerContext ? { name: dockerContext, chosenBy } : undefined,
      warn: (line) => out.warn(line),
    });
  };
  return {
    out,
    env,
    cwd,
    stdin,
    signal,
    // One connection per run: build, push and every --watch rebuild share it instead of pinging again.
    docker: async () => (docker ??= connect()),
    // The first plain project load is kept: connecting to the engine reads dockerContext from it without loading twice.
    loadConfig,
    loadProject: (overrides = {}) =>
      Object.keys(overrides).length > 0 ? loadProject(overrides) : (project ??= loadProject()),
  };
}
