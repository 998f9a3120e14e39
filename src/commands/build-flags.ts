// The flags of the commands that build (build, push, deploy, invoke-local, dev), as their handlers see them;
// declared in the option table (src/config/options.ts).
import type { ArgsOf } from '../config/options.js';
import type { ResolvedConfig } from '../config/types.js';
import type { BuildOptions, BuiltImage } from '../pipeline/build.js';
import type { CommandContext } from './types.js';

export { parseKeyValues } from '../config/flags.js';

/** What the build step reads of a building command's flags. */
export type BuildFlags = Pick<
  ArgsOf<'build'>,
  | 'tag'
  | 'build-arg'
  | 'architecture'
  | 'target'
  | 'dockerfile'
  | 'base-image'
  | 'cache'
  | 'pull'
  | 'typecheck'
  | 'bundle'
>;

/** The pipeline's build options from the flags. */
export const buildOptionsOf = (args: BuildFlags): BuildOptions => ({
  noCache: !args.cache,
  pull: args.pull,
  typecheck: args.typecheck,
  bundle: args.bundle,
});

/** push and deploy: the build options plus what a remote builder needs (--create-builder, and --role on deploy). */
export const remoteBuildOptionsOf = (
  args: BuildFlags & Pick<ArgsOf<'push'>, 'create-builder'> & { role?: string },
): BuildOptions => ({ ...buildOptionsOf(args), createBuilder: args['create-builder'], builderRole: args.role });

/** Builds from a building command's flags. The build machinery (esbuild, tar, .dockerignore) loads here, when a
 * command builds, not at start-up. */
export async function buildFromFlags(
  ctx: CommandContext,
  config: ResolvedConfig,
  args: BuildFlags,
): Promise<BuiltImage> {
  const pipeline = await import('../pipeline/build.js');
  return pipeline.buildStep(ctx, config, buildOptionsOf(args));
}
