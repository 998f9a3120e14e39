// Validation of a config object: every problem at once, each with its key path, what was found and what is allowed.
import { suggestKey } from '../core/suggest.js';
import { problem, type Check, type ConfigProblem } from './checks.js';
import { optionEntries } from './options.js';
import type { LambdaConfig } from './types.js';

export type { ConfigProblem } from './checks.js';

/** Every key a config file may hold, with its rule (from the option table). */
export const fieldChecks: Record<string, Check> = Object.fromEntries(
  optionEntries.flatMap(([key, spec]) => (spec.config ? [[key, spec.config.check]] : [])),
);

/** The values a key takes when neither file, environment nor flag sets it. */
export const defaults: Record<string, unknown> = Object.fromEntries(
  optionEntries.flatMap(([key, spec]) => (spec.config?.default !== undefined ? [[key, spec.config.default]] : [])),
);

export const REQUIRED_FIELDS = ['functionName'] as const;

/** Every problem of the file: its top-level keys, then each function's settings with paths like `functions.api.memorySize`. */
export function validateConfig(raw: unknown): ConfigProblem[] {
  const problems = validateKeys(raw, '', Object.keys(fieldChecks));
  if (typeof raw !== 'object' || raw === null || !('functions' in raw)) return problems;
  const functions = raw.functions;
  if (typeof functions !== 'object' || functions === null) return problems;
  if ('functionName' in raw)
    problems.push({
      path: 'functionName',
      message: 'a project with "functions" names each function by its key; move "functionName" into a function',
    });
  const perFunction = Object.keys(fieldChecks).filter((key) => key !== 'functions');
  for (const [name, settings] of Object.entries(functions)) {
    // The shape of each entry is the table's check of `functions`; here only entries that are objects.
    if (typeof settings === 'object' && settings !== null && !Array.isArray(settings))
      problems.push(...validateKeys(settings, `functions.${name}.`, perFunction));
  }
  return problems;
}

function validateKeys(raw: unknown, prefix: string, known: string[]): ConfigProblem[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return problem(prefix ? prefix.slice(0, -1) : '(root)', 'an object of settings', raw);
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const check = known.includes(key) ? fieldChecks[key] : undefined;
    if (!check) {
      const suggestion = suggestKey(key, known);
      problems.push({
        path: `${prefix}${key}`,
        message: suggestion
          ? `unknown key; did you mean "${suggestion}"?`
          : `unknown key; allowed keys: ${known.join(', ')}`,
      });
      continue;
    }
    if (value !== undefined) problems.push(...check(value, `${prefix}${key}`));
  }
  return problems;
}

/** True when `raw` holds only known keys with valid values: then it is a config, without a cast. */
export function isValidConfig(raw: unknown): raw is LambdaConfig {
  return validateConfig(raw).length === 0;
}
