// Validation of a config object: every problem at once, each with its key path, what was found and what is allowed.
import { suggestKey } from '../util/suggest.js';
import { checkProgram } from './program.js';

export interface ConfigProblem {
  path: string;
  message: string;
}

type Check = (value: unknown, path: string) => ConfigProblem[];

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
};

const problem = (path: string, allowed: string, value: unknown): ConfigProblem[] => [
  { path, message: `expected ${allowed}, found ${describe(value)}` },
];

const pattern =
  (regex: RegExp, allowed: string): Check =>
  (value, path) =>
    typeof value === 'string' && regex.test(value) ? [] : problem(path, allowed, value);

const nonEmptyString: Check = (value, path) =>
  typeof value === 'string' && value.trim() !== '' ? [] : problem(path, 'a non-empty string', value);

const boolean: Check = (value, path) => (typeof value === 'boolean' ? [] : problem(path, 'true or false', value));

const integer =
  (min: number, max: number): Check =>
  (value, path) =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max
      ? []
      : problem(path, `an integer from ${min} to ${max}`, value);

const oneOf =
  (...allowed: string[]): Check =>
  (value, path) =>
    allowed.includes(value as string) ? [] : problem(path, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, value);

const stringMap =
  (keyRule?: { regex: RegExp; allowed: string }, reserved: (key: string) => boolean = () => false): Check =>
  (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return problem(path, 'an object of string values', value);
    const problems: ConfigProblem[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (keyRule && !keyRule.regex.test(key)) problems.push(...problem(`${path}.${key}`, keyRule.allowed, key));
      else if (reserved(key))
        problems.push({ path: `${path}.${key}`, message: 'is reserved by Lambda and cannot be set; rename the variable' });
      if (typeof item !== 'string') problems.push(...problem(`${path}.${key}`, 'a string', item));
    }
    return problems;
  };

const stringList: Check = (value, path) => {
  if (!Array.isArray(value)) return problem(path, 'an array of strings', value);
  return value.flatMap((item, index) => nonEmptyString(item, `${path}[${index}]`));
};

// Names Lambda sets itself (AWS docs, "Defined runtime environment variables").
const RESERVED_ENV = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);

/** Every key a config file may hold, with its rule. */
export const fieldChecks: Record<string, Check> = {
  functionName: pattern(/^[a-zA-Z0-9_-]{1,64}$/, 'a Lambda function name (1-64 letters, digits, - or _)'),
  region: pattern(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as "eu-west-1"'),
  profile: nonEmptyString,
  repository: pattern(
    /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
    'an ECR repository name (lower-case letters, digits, . _ - and /)',
  ),
  tag: pattern(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'an image tag (letters, digits, _ . -, at most 128)'),
  context: nonEmptyString,
  dockerfile: nonEmptyString,
  handler: pattern(/^[^\s]*[^\s./]\.[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/, 'a handler such as "index.handler" (module.export)'),
  architecture: oneOf('x86_64', 'arm64'),
  baseImage: nonEmptyString,
  buildArgs: stringMap(),
  labels: stringMap(),
  target: nonEmptyString,
  environment: stringMap(
    { regex: /^[a-zA-Z][a-zA-Z0-9_]*$/, allowed: 'a variable name (a letter, then letters, digits or _)' },
    (key) => RESERVED_ENV.has(key),
  ),
  memorySize: integer(128, 10240),
  timeout: integer(1, 900),
  alias: pattern(/^(?!\d+$)[a-zA-Z0-9_-]{1,128}$/, 'an alias name (letters, digits, - or _, not only digits)'),
  publish: boolean,
  createRepository: boolean,
  imageTagMutability: oneOf('MUTABLE', 'IMMUTABLE'),
  external: stringList,
  program: checkProgram,
};

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
        message: suggestion ? `unknown key; did you mean "${suggestion}"?` : `unknown key; allowed keys: ${known.join(', ')}`,
      });
      continue;
    }
    if (value !== undefined) problems.push(...check(value, key));
  }
  return problems;
}
