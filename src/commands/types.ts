// The shape of a command: plain data (name, flags, help, examples) plus a handler that orchestrates.
import type Docker from 'dockerode';
import type { Argv } from 'yargs';
import type { Output } from '../cli/output.js';
import type { ResolvedConfig } from '../config/types.js';

/** Options every command accepts; defined once in src/cli/global-options.ts. */
export interface GlobalArgs {
  config?: string;
  cwd?: string;
  region?: string;
  profile?: string;
  json: boolean;
  verbose: boolean;
  quiet: boolean;
  color?: boolean;
}

export interface CommandContext {
  out: Output;
  env: NodeJS.ProcessEnv;
  /** The folder commands work from: --cwd, else the process's. */
  cwd: string;
  stdin: NodeJS.ReadableStream;
  /** Aborted on Ctrl-C: long work stops and cleans up what it started. */
  signal: AbortSignal;
  /** The Docker engine DOCKER_HOST names, connected and pinged on first use; later calls share that client. */
  docker(): Promise<Docker>;
  /** Finds, validates and merges the configuration (flags > environment > file > defaults). */
  loadConfig(overrides?: Partial<ResolvedConfig>): Promise<ResolvedConfig>;
}

export interface CommandDefinition<A = object> {
  /** yargs command string, e.g. 'build' or 'init [dir]'. */
  command: string;
  describe: string;
  examples: Array<[command: string, what: string]>;
  builder: (yargs: Argv<GlobalArgs>) => Argv<A & GlobalArgs>;
  handler: (args: A & GlobalArgs, ctx: CommandContext) => Promise<void>;
}

/** Lets a definition keep its own argument type while living in one list with the others. */
export function defineCommand<A>(definition: CommandDefinition<A>): CommandDefinition<any> {
  return definition as CommandDefinition<any>;
}
