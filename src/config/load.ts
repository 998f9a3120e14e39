// Finds the config file (cosmiconfig, upward from --cwd), validates it and merges it with flags and environment.
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { UserError, ExitCode } from '../core/errors.js';
import { optionEntries } from './options.js';
import { defaults, fieldChecks, isValidConfig, validateConfig, REQUIRED_FIELDS, type ConfigProblem } from './schema.js';
import { functionFile, functionKeys, splitRegionFlag } from './project.js';
import { quickLoad, quickSearch } from './quick-search.js';
import type { LambdaConfig, ResolvedConfig } from './types.js';

export const CONFIG_SEARCH_PLACES = [
  'lambda.config.json',
  'lambda.config.js',
  'lambda.config.mjs',
  'lambda.config.cjs',
  '.lambdarc',
  '.lambdarc.json',
  '.lambdarc.yaml',
  '.lambdarc.yml',
  'package.json',
];

export interface LoadedFile {
  config: LambdaConfig;
  /** Absent when no file was found. */
  filepath?: string;
}

export interface LoadOptions {
  cwd: string;
  /** --config: a file named directly, no search. */
  configPath?: string;
  env: NodeJS.ProcessEnv;
  /** Values given as flags, checked here; they win over everything else. */
  overrides?: Record<string, unknown>;
}

export async function findConfigFile(cwd: string, configPath?: string): Promise<LoadedFile> {
  // A JSON file is read without cosmiconfig, which loads only for what it alone decides (see quick-search.ts).
  if (configPath) {
    const file = resolve(cwd, configPath);
    const quick = await quickLoad(file);
    if (quick) return { config: (quick.config ?? {}) as LambdaConfig, filepath: file };
  } else {
    const quick = await quickSearch(cwd, CONFIG_SEARCH_PLACES);
    if (quick) return { config: unwrapDefault(quick.config) as LambdaConfig, filepath: quick.filepath };
  }
  const { cosmiconfig } = await import('cosmiconfig');
  const explorer = cosmiconfig('lambda', {
    searchPlaces: CONFIG_SEARCH_PLACES,
    packageProp: 'lambda',
    searchStrategy: 'global',
    stopDir: resolve('/'),
    cache: false,
  });
  try {
    if (configPath) {
      const file = resolve(cwd, configPath);
      const found = await explorer.load(file);
      return { config: (found?.config ?? {}) as LambdaConfig, filepath: file };
    }
    const found = await explorer.search(cwd);
    if (!found || found.isEmpty) return { config: {}, filepath: found?.filepath };
    return { config: unwrapDefault(found.config) as LambdaConfig, filepath: found.filepath };
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    const where = configPath ? resolve(cwd, configPath) : cwd;
    if (err.code === 'ENOENT')
      throw new UserError(`config file not found: ${where}`, {
        hint: 'check the --config path, or drop --config to search from the working folder',
      });
    throw new UserError(`cannot read config file: ${err.message.split('\n')[0]}`, {
      hint: 'fix the syntax of the config file (JSON, YAML or a module exporting an object)',
      cause: error,
    });
  }
}

// `export default defineConfig({...})` arrives as the module namespace in some loaders.
const unwrapDefault = (config: unknown) =>
  config && typeof config === 'object' && 'default' in config && Object.keys(config).length === 1
    ? (config as { default: unknown }).default
    : config;

export function formatProblems(problems: ConfigProblem[], source: string): string {
  const lines = problems.map((p) => `  ${p.path}: ${p.message}`);
  return `invalid configuration in ${source} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

/** The one merge: flag > environment > file > default, paths resolved against the config file's folder. */
export function mergeConfig(
  file: LambdaConfig,
  configDir: string,
  env: NodeJS.ProcessEnv,
  flags: Partial<ResolvedConfig> = {},
): ResolvedConfig {
  const fromEnv: Partial<ResolvedConfig> = {};
  if (env.AWS_REGION) fromEnv.region = env.AWS_REGION;
  if (env.AWS_PROFILE) fromEnv.profile = env.AWS_PROFILE;
  const defined = <T extends object>(value: T) =>
    Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
  const merged = { ...defaults, ...defined(file), ...defined(fromEnv), ...defined(flags) } as LambdaConfig &
    Partial<ResolvedConfig>;
  const within = (path: string) => (isAbsolute(path) ? path : resolve(configDir, path));
  const context = within(flags.context ?? file.context ?? '.');
  const { functions: _functions, ...single } = merged;
  return {
    ...(single as ResolvedConfig),
    functionName: merged.functionName ?? '',
    functionKey: merged.functionName ?? '',
    repository: merged.repository ?? merged.functionName ?? '',
    context,
    dockerfile: merged.dockerfile ? within(merged.dockerfile) : undefined,
    // Build args and labels from flags add to the file's rather than replacing them.
    buildArgs: { ...file.buildArgs, ...flags.buildArgs },
    labels: { ...file.labels, ...flags.labels },
    environment: { ...file.environment, ...flags.environment },
    external: [...(file.external ?? []), ...(flags.external ?? [])],
    configDir,
  };
}

const flagNames = new Map<string, string>(
  optionEntries.flatMap(([key, spec]) => (spec.config && spec.flag ? [[key, spec.flag.name]] : [])),
);

/** Flag values are checked by the same rules as the file's, and named as the flags the user typed. */
export function validateFlags(overrides: Record<string, unknown>): ConfigProblem[] {
  const given = Object.fromEntries(
    Object.entries(overrides).filter(
      ([key, value]) =>
        value !== undefined &&
        key in fieldChecks &&
        !(typeof value === 'object' && value !== null && Object.keys(value).length === 0),
    ),
  );
  const flagName = (key: string) => `--${flagNames.get(key) ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return validateConfig(given).map((problem) => ({ ...problem, path: problem.path.replace(/^[^.[]+/, flagName) }));
}

/** The functions of the configuration, each merged with flags and environment; `names` picks among them. */
export interface LoadedProject {
  functions: ResolvedConfig[];
  configFile?: string;
}

export async function loadProject(options: LoadOptions): Promise<LoadedProject> {
  const { config: file, filepath } = await findConfigFile(options.cwd, options.configPath);
  const { overrides, problems: flagProblems } = regionOverrides(options.overrides ?? {});
  const problems = [...validateConfig(file), ...flagProblems];
  const configDir = filepath ? dirname(filepath) : options.cwd;
  // Checked above: a flag problem stops before the merge, so valid flags are a config without a cast.
  const flags = isValidConfig(overrides) ? overrides : {};
  const keys = functionKeys(file);
  const functions =
    keys.length > 0
      ? keys.map((key) => ({
          ...mergeConfig(functionFile(file, key), configDir, options.env, flags),
          functionKey: key,
        }))
      : [mergeConfig(file, configDir, options.env, flags)];
  if (!filepath && !functions[0]!.functionName) {
    throw new UserError(
      `no configuration found: no lambda.config.json (or .lambdarc, or a "lambda" key in package.json) in ${options.cwd} or above`,
      {
        exitCode: ExitCode.usage,
        hint: 'run `tslambda init` to create a function here, or pass --config <file>',
      },
    );
  }
  if (file.functions && keys.length === 0)
    problems.push({ path: 'functions', message: 'holds no function; add one with `tslambda init --function NAME`' });
  for (const key of REQUIRED_FIELDS) {
    if (keys.length === 0 && !functions[0]![key])
      problems.push({
        path: key,
        message: `required; add "${key}": "my-function" to ${filepath ? basename(filepath) : 'lambda.config.json'}`,
      });
  }
  if (problems.length > 0) {
    throw new UserError(formatProblems(problems, filepath ?? 'the flags'), {
      exitCode: ExitCode.usage,
      details: { problems, configFile: filepath },
    });
  }
  for (const context of new Set(functions.map((fn) => fn.context)))
    await assertDirectory(context, 'context', filepath ?? 'flags');
  return { functions: functions.map((fn) => ({ ...fn, configFile: filepath })), configFile: filepath };
}

/** `--region a,b` stands for `regions`; each region is checked and named as the flag the user typed. */
function regionOverrides(raw: Record<string, unknown>) {
  const { region, ...rest } = raw;
  const split = splitRegionFlag(region);
  const problems = [...validateFlags(rest), ...(split?.regions ?? []).flatMap((one) => validateFlags({ region: one }))];
  return { overrides: split ? { ...rest, ...split } : rest, problems };
}

/** The one function of the configuration: a project of several must be narrowed by name first (see pickFunctions). */
export async function loadConfig(options: LoadOptions): Promise<ResolvedConfig> {
  const { functions } = await loadProject(options);
  if (functions.length === 1) return functions[0]!;
  const names = functions.map((fn) => fn.functionKey);
  throw new UserError(`this project has ${names.length} functions (${names.join(', ')}); this command takes one`, {
    exitCode: ExitCode.usage,
    hint: `name it, e.g. \`tslambda deploy ${names[0]}\`, or use --all where the command takes it`,
    details: { functions: names },
  });
}

async function assertDirectory(path: string, key: string, source: string) {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory())
    throw new UserError(`${key}: ${path} is not a folder (from ${source})`, {
      hint: `set "${key}" to an existing folder, relative to the config file`,
    });
}
