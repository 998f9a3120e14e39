// Flags shared by every command that builds an image (build, push, deploy, invoke-local).
import type { Argv } from 'yargs';
import { UserError } from '../cli/errors.js';
import type { Architecture, ResolvedConfig } from '../config/types.js';

export interface BuildFlags {
  tag?: string;
  'build-arg'?: string[];
  architecture?: Architecture;
  target?: string;
  dockerfile?: string;
  'base-image'?: string;
  cache: boolean;
  pull: boolean;
  typecheck: boolean;
  bundle: boolean;
}

export function withBuildFlags<T>(yargs: Argv<T>): Argv<T & BuildFlags> {
  return yargs
    .option('tag', { type: 'string', describe: 'Image tag (default: config "tag"; else "latest" for build, the git short SHA or a UTC timestamp for push/deploy)', requiresArg: true })
    .option('build-arg', { type: 'string', array: true, describe: 'Build argument K=V (repeatable; K alone takes its value from the environment)', requiresArg: true })
    .option('architecture', { choices: ['x86_64', 'arm64'] as const, describe: 'Lambda architecture; decides the build platform' })
    .option('target', { type: 'string', describe: 'Stage of a multi-stage Dockerfile to build', requiresArg: true })
    .option('dockerfile', { type: 'string', describe: 'Dockerfile to use (default: Dockerfile in the context, else generated)', requiresArg: true })
    .option('base-image', { type: 'string', describe: 'Base image of the generated Dockerfile', requiresArg: true })
    .option('cache', { type: 'boolean', default: true, describe: 'Use the build cache (--no-cache to rebuild every step)' })
    .option('pull', { type: 'boolean', default: false, describe: 'Always pull a newer version of the base image' })
    .option('typecheck', { type: 'boolean', default: false, describe: "Run the project's tsc --noEmit first and stop on type errors" })
    .option('bundle', { type: 'boolean', default: true, describe: 'Bundle a TS/JS handler with esbuild when there is no Dockerfile (--no-bundle to copy the folder as is)' })
    .group(['tag', 'build-arg', 'architecture', 'target', 'dockerfile', 'base-image', 'no-cache', 'pull', 'typecheck', 'no-bundle'], 'Build options:') as unknown as Argv<T & BuildFlags>;
}

export function parseKeyValues(pairs: string[] | undefined, flag: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf('=');
    const key = at === -1 ? pair : pair.slice(0, at);
    if (!key) throw new UserError(`--${flag} ${JSON.stringify(pair)} has no name`, { hint: `write --${flag} NAME=value` });
    const value = at === -1 ? env[key] : pair.slice(at + 1);
    if (value === undefined) throw new UserError(`--${flag} ${key} has no value and ${key} is not set in the environment`, { hint: `write --${flag} ${key}=value` });
    result[key] = value;
  }
  return result;
}

/** The config overrides the build flags stand for. */
export function buildOverrides(args: BuildFlags, env: NodeJS.ProcessEnv): Partial<ResolvedConfig> {
  return {
    tag: args.tag,
    buildArgs: parseKeyValues(args['build-arg'], 'build-arg', env),
    architecture: args.architecture,
    target: args.target,
    dockerfile: args.dockerfile,
    baseImage: args['base-image'],
  };
}
