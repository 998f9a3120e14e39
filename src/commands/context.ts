// Builds the context every command runs with: the output, the environment, the folder, and the engine and
// configuration, each opened only when the command first asks for it.
import type Docker from 'dockerode';
import { configOverrides } from '../config/flags.js';
import type { CommandName, GlobalArgs } from '../config/options.js';
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
  return {
    out,
    env,
    cwd,
    stdin,
    signal,
    // One connection per run: build, push and every --watch rebuild share it instead of pinging again.
    docker: async () => (docker ??= import('../docker/client.js').then(({ connectDocker }) => connectDocker(env))),
    loadConfig: async (overrides = {}) => {
      const { loadConfig } = await import('../config/load.js');
      return loadConfig({
        cwd,
        configPath: args.config,
        env,
        overrides: { ...configOverrides(name, args, env), ...overrides },
      });
    },
    loadProject: async (overrides = {}) => {
      const { loadProject } = await import('../config/load.js');
      return loadProject({
        cwd,
        configPath: args.config,
        env,
        overrides: { ...configOverrides(name, args, env), ...overrides },
      });
    },
  };
}
