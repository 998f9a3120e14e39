// A project of functions: each entry of `functions` over the file's top-level defaults, as the one config of that
// function that the merge with flags and environment then reads. A file without `functions` is a project of one.
import type { FunctionSettings } from './options.js';
import type { LambdaConfig, ResolvedConfig } from './types.js';

/** The file as one function sees it: the defaults, its own keys over them; maps add up key by key. */
export function functionFile(file: LambdaConfig, key: string): LambdaConfig {
  const { functions, ...defaults } = file;
  const own: FunctionSettings = functions?.[key] ?? {};
  return {
    ...defaults,
    ...own,
    functionName: own.functionName ?? key,
    buildArgs: { ...defaults.buildArgs, ...own.buildArgs },
    labels: { ...defaults.labels, ...own.labels },
    environment: { ...defaults.environment, ...own.environment },
  };
}

/** The names of the project's functions, in the file's order; a single-function file has none. */
export const functionKeys = (file: LambdaConfig): string[] => Object.keys(file.functions ?? {});

/** The regions a function goes to: its `regions` (or --region a,b), else its one region (undefined: the SDK's). */
export const regionsOf = (config: Pick<ResolvedConfig, 'region' | 'regions'>): Array<string | undefined> =>
  config.regions && config.regions.length > 0 ? config.regions : [config.region];

/** `--region a,b`: the first is the region, all of them the regions; a single one replaces the file's list too. */
export function splitRegionFlag(region: unknown): { region: string; regions: string[] } | undefined {
  if (typeof region !== 'string') return undefined;
  const regions = region
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return regions.length > 0 ? { region: regions[0]!, regions } : undefined;
}
