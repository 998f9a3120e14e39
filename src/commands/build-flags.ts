// The flags of the commands that build (build, push, deploy, invoke-local, dev), as their handlers see them;
// declared in the option table (src/config/options.ts).
import type { ArgsOf } from '../config/options.js';
import type { BuildOptions } from '../pipeline/build.js';

export { parseKeyValues } from '../config/flags.js';

/** What the build step reads of a building command's flags. */
export type BuildFlags = Pick<ArgsOf<'build'>, 'tag' | 'build-arg' | 'architecture' | 'target' | 'dockerfile' | 'base-image' | 'cache' | 'pull' | 'typecheck' | 'bundle'>;

/** The pipeline's build options from the flags. */
export const buildOptionsOf = (args: BuildFlags): BuildOptions => ({ noCache: !args.cache, pull: args.pull, typecheck: args.typecheck, bundle: args.bundle });
