// Which targets a run works on: the functions the user named (or --all, or the only one), each in each of its
// regions. A target is one function in one region, with the config that deploys it there.
import { ExitCode, UserError } from '../core/errors.js';
import { suggestKey } from '../core/suggest.js';
import { regionsOf } from '../config/project.js';
import type { ResolvedConfig } from '../config/types.js';

export interface Target {
  /** How the user reads it in rows, lines and JSON: `api` or `api eu-west-1`. */
  label: string;
  functionKey: string;
  /** undefined: the region the SDK resolves (AWS_REGION, the profile). */
  region?: string;
  /** The function's config with `region` set to this target's. */
  config: ResolvedConfig;
}

export interface Selection {
  names?: string[];
  all: boolean;
}

/** The functions picked by name or --all; without either, the project must hold one function. */
export function selectFunctions(functions: ResolvedConfig[], selection: Selection): ResolvedConfig[] {
  const known = functions.map((fn) => fn.functionKey);
  const names = selection.names ?? [];
  if (selection.all) {
    if (names.length > 0)
      throw new UserError(`--all cannot be given with function names (${names.join(', ')})`, {
        hint: 'pass either the names or --all',
      });
    return functions;
  }
  if (names.length === 0) {
    if (functions.length === 1) return functions;
    throw new UserError(`this project has ${known.length} functions (${known.join(', ')}); name the ones to use`, {
      exitCode: ExitCode.usage,
      hint: `e.g. \`${known[0]}\`, several as \`${known.slice(0, 2).join(' ')}\`, or --all`,
      details: { functions: known },
    });
  }
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    const suggestion = suggestKey(unknown[0]!, known);
    throw new UserError(`no function named ${unknown.join(', ')} in this project (it has ${known.join(', ')})`, {
      exitCode: ExitCode.usage,
      hint: suggestion ? `did you mean ${suggestion}?` : 'name functions from the config\'s "functions"',
      details: { unknown, functions: known },
    });
  }
  return functions.filter((fn) => names.includes(fn.functionKey));
}

/** Each function in each of its regions; the label carries the region only when a run spans several. */
export function expandTargets(functions: ResolvedConfig[]): Target[] {
  const pairs = functions.flatMap((config) => regionsOf(config).map((region) => ({ config, region })));
  const regions = new Set(pairs.map((pair) => pair.region));
  return pairs.map(({ config, region }) => ({
    label: regions.size > 1 && region ? `${config.functionKey} ${region}` : config.functionKey,
    functionKey: config.functionKey,
    region,
    config: { ...config, region },
  }));
}

export const selectTargets = (functions: ResolvedConfig[], selection: Selection): Target[] =>
  expandTargets(selectFunctions(functions, selection));
