// What a command's parsed flags mean, read from the option table: their type, their problems, and the config they override.
import { UserError } from '../core/errors.js';
import type { ConfigProblem } from './checks.js';
import {
  flagKind,
  flagsOf,
  optionEntries,
  type ArgsOf,
  type CommandName,
  type GlobalArgs,
  type Kind,
  type OptionSpec,
} from './options.js';

const hasKind: Record<Kind, (value: unknown) => boolean> = {
  string: (value) => typeof value === 'string',
  number: (value) => typeof value === 'number',
  boolean: (value) => typeof value === 'boolean',
  strings: (value) => Array.isArray(value) && value.every((item) => typeof item === 'string'),
  map: (value) =>
    typeof value === 'object' && value !== null && Object.values(value).every((item) => typeof item === 'string'),
  // Config-only: no flag holds a program, so the parser never gives one.
  program: () => false,
  builder: () => false,
  functions: () => false,
  targets: () => false,
};

const holdsValues = (specs: OptionSpec[], raw: Record<string, unknown>) =>
  specs.every((spec) => {
    if (!spec.flag) return true;
    const value = raw[spec.flag.name];
    return value === undefined
      ? spec.flag.default === undefined
      : hasKind[flagKind(spec)](value) && (!spec.choices || spec.choices.includes(String(value)));
  });

/** True when the parser gave every flag of the command a value of its kind (or none, for a flag without a default). */
export function isArgsOf<N extends CommandName>(
  command: N,
  raw: Record<string, unknown>,
): raw is Record<string, unknown> & ArgsOf<N> {
  return holdsValues(
    flagsOf(command).map(([, spec]) => spec),
    raw,
  );
}

export function isGlobalArgs(raw: Record<string, unknown>): raw is Record<string, unknown> & GlobalArgs {
  return holdsValues(
    optionEntries.flatMap(([, spec]) => (spec.flag?.commands === 'all' ? [spec] : [])),
    raw,
  );
}

/** A rule across flags, such as "--create needs --role"; returns a problem or nothing. */
export type FlagRule<N extends CommandName> = (args: ArgsOf<N>) => ConfigProblem | undefined;

/** Problems of the flags that have no config key (config-backed flags are checked with the config file). */
export function localFlagProblems<N extends CommandName>(
  command: N,
  args: Record<string, unknown> & ArgsOf<N>,
  rules: ReadonlyArray<FlagRule<N>>,
): ConfigProblem[] {
  const problems = flagsOf(command).flatMap(([, spec]) => {
    const value = args[spec.flag.name];
    return spec.flag.check && value !== undefined ? spec.flag.check(value, `--${spec.flag.name}`) : [];
  });
  for (const rule of rules) {
    const problem = rule(args);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** The config values the command's flags stand for, keyed by config key (checked by loadConfig with the file). */
export function configOverrides(
  command: CommandName,
  args: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const [key, spec] of flagsOf(command)) {
    if (!spec.config) continue;
    const value = args[spec.flag.name];
    overrides[key] = spec.flag.toConfig === 'keyValues' ? parseKeyValues(stringsOf(value), spec.flag.name, env) : value;
  }
  return overrides;
}

const stringsOf = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

export function parseKeyValues(
  pairs: string[] | undefined,
  flag: string,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf('=');
    const key = at === -1 ? pair : pair.slice(0, at);
    if (!key)
      throw new UserError(`--${flag} ${JSON.stringify(pair)} has no name`, { hint: `write --${flag} NAME=value` });
    const value = at === -1 ? env[key] : pair.slice(at + 1);
    if (value === undefined)
      throw new UserError(`--${flag} ${key} has no value and ${key} is not set in the environment`, {
        hint: `write --${flag} ${key}=value`,
      });
    result[key] = value;
  }
  return result;
}
