// The types of a function's configuration, derived from the option table (options.ts), whether it came from flags, env or a file.
import type { ConfigKey, Options, ValueOf } from './options.js';

export { DEFAULT_BASE_IMAGE } from './options.js';

export type Architecture = ValueOf<Options['architecture']>;

/** What a config file may hold (all optional; validation says what is required). */
export type LambdaConfig = { [K in ConfigKey]?: ValueOf<Options[K]> };

/** Keys that always have a value after the merge: a default, an empty map or list, or one the merge derives. */
type AlwaysResolved = {
  [K in ConfigKey]: Options[K]['config'] extends { default: unknown } | { resolved: true } ? K : never;
}[ConfigKey];

/**
 * The configuration after merging flags > environment > file > defaults, with paths made absolute:
 * `context` is the absolute build context, `dockerfile` the absolute path of the user's Dockerfile when there is one.
 */
export type ResolvedConfig = { [K in AlwaysResolved]: ValueOf<Options[K]> } & {
  [K in Exclude<ConfigKey, AlwaysResolved>]?: ValueOf<Options[K]>;
} & {
  /** How the user names the function: its key in `functions`, else its functionName. */
  functionKey: string;
  /** Folder of the config file (or the working folder when there is none). */
  configDir: string;
  /** Path of the config file that was loaded, if any. */
  configFile?: string;
};
