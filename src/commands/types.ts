// The shape of a command: plain data (name, help, examples, flag rules; see src/cli/commands.ts) plus a handler,
// loaded only when the command runs, whose argument types are inferred from the option table.
import type { ArgsOf, CommandName } from '../config/options.js';
import type { LoadedProject } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import type { PipelineContext } from '../pipeline/context.js';

export type { ArgsOf, CommandName, GlobalArgs } from '../config/options.js';

/** The pipeline's context (out, signal, docker) plus what only commands use. */
export interface CommandContext extends PipelineContext {
  env: NodeJS.ProcessEnv;
  /** The folder commands work from: --cwd, else the process's. */
  cwd: string;
  stdin: NodeJS.ReadableStream;
  /** Finds, validates and merges the configuration (flags > environment > file > defaults); the command's flags are already in. */
  loadConfig(overrides?: Partial<ResolvedConfig>): Promise<ResolvedConfig>;
  /** Every function of the configuration, each merged the same way (a file without `functions` holds one). */
  loadProject(overrides?: Partial<ResolvedConfig>): Promise<LoadedProject>;
}

export type CommandHandler<N extends CommandName> = (args: ArgsOf<N>, ctx: CommandContext) => Promise<void>;

/** Gives a handler its arguments' type from the option table, so the handler needs no annotation. */
export function defineCommand<N extends CommandName>(
  name: N,
  definition: { handler: CommandHandler<N> },
): CommandModule<N> {
  return { name, handler: definition.handler };
}

/** What a command's module exports: its name (which picks its flags from the option table) and its handler. */
export interface CommandModule<N extends CommandName> {
  name: N;
  handler: CommandHandler<N>;
}
