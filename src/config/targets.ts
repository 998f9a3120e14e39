// The `targets` key: named places a function runs (an account and region, reached with a profile), which
// `tslambda promote --from <name> --to <name>` moves an image between. Its type and check live here.
import { problem, type ConfigProblem } from './checks.js';

export interface TargetConfig {
  /** The AWS region, e.g. "eu-west-1". */
  region: string;
  /** The shared-config profile whose credentials reach the target (a profile with role_arn assumes a role). */
  profile?: string;
  /** The 12-digit account the target is in: a promotion refuses credentials that reach another one. */
  accountId?: string;
}

export type TargetsConfig = Record<string, TargetConfig>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT = /^\d{12}$/;
const KEYS = ['region', 'profile', 'accountId'];

export function checkTargets(value: unknown, path: string): ConfigProblem[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return problem(path, 'an object of named targets, e.g. { "prod": { "region": "eu-west-1" } }', value);
  return Object.entries(value).flatMap(([name, target]) => checkTarget(name, target, `${path}.${name}`));
}

function checkTarget(name: string, target: unknown, path: string): ConfigProblem[] {
  if (!NAME.test(name)) return problem(path, 'a target name (letters, digits, _ . -)', name);
  if (typeof target !== 'object' || target === null || Array.isArray(target))
    return problem(path, 'an object such as { "region": "eu-west-1", "profile": "prod" }', target);
  const fields = target as Record<string, unknown>;
  const problems: ConfigProblem[] = Object.keys(fields)
    .filter((key) => !KEYS.includes(key))
    .map((key) => ({ path: `${path}.${key}`, message: `unknown key; allowed keys: ${KEYS.join(', ')}` }));
  if (typeof fields.region !== 'string' || !REGION.test(fields.region))
    problems.push(...problem(`${path}.region`, 'an AWS region such as "eu-west-1"', fields.region));
  if (fields.profile !== undefined && (typeof fields.profile !== 'string' || fields.profile.trim() === ''))
    problems.push(...problem(`${path}.profile`, 'a non-empty profile name', fields.profile));
  if (fields.accountId !== undefined && (typeof fields.accountId !== 'string' || !ACCOUNT.test(fields.accountId)))
    problems.push(...problem(`${path}.accountId`, 'a 12-digit AWS account id (as a string)', fields.accountId));
  return problems;
}
