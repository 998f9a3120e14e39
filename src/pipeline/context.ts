// What the pipeline's steps need from whoever runs them: somewhere to report, a way to stop, and the engine.
// A command's context is one (CommandContext extends it); the pipeline never sees flags or the terminal.
import type Docker from 'dockerode';
import type { Output } from '../core/output.js';

export interface PipelineContext {
  out: Output;
  /** Aborted on Ctrl-C: long work stops and cleans up what it started. */
  signal: AbortSignal;
  /** The Docker engine, connected and pinged on first use; later calls share that client. */
  docker(): Promise<Docker>;
  /** The command's environment (AWS settings for layer ARNs); a command's context always has it. */
  env?: NodeJS.ProcessEnv;
}
