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

export function validateConfig(raw: unknown): ConfigProblem[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return problem('(root)', 'an object of settings', raw);
  const problems: ConfigProblem[] = [];
  const known = Object.keys(fieldChecks);
  for (const [key, value] of Object.entries(raw)) {
    const check = fieldChecks[key];
    if (!check) {
      const suggestion = suggestKey(key, known);
      problems.push({
        path: key,
        message: suggestion
          ? `unknown key; did you mean "${suggestion}"?`
          : `unknown key; allowed keys: ${known.join(', ')}`,
      });
      continue;
    }
    if (value !== undefined) problems.push(...check(value, key));
  }
  return problems;
}

/** True when `raw` holds only known keys with valid values: then it is a config, without a cast. */
export function isValidConfig(raw: unknown): raw is LambdaConfig {
  return validateConfig(raw).length === 0;
}
