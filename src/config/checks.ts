// The rules a value can be held to; each returns every problem it finds, with the key path, what was found and what is allowed.

export interface ConfigProblem {
  path: string;
  message: string;
}

export type Check = (value: unknown, path: string) => ConfigProblem[];

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
};

export const problem = (path: string, allowed: string, value: unknown): ConfigProblem[] => [
  { path, message: `expected ${allowed}, found ${describe(value)}` },
];

export const pattern =
  (regex: RegExp, allowed: string): Check =>
  (value, path) =>
    typeof value === 'string' && regex.test(value) ? [] : problem(path, allowed, value);

/**
 * A handler string as Lambda's Node runtime reads it: the file part (after the last slash) splits at its first dot
 * into module and export (aws-lambda-ric's /^([^.]*)\.(.*)$/); without a dot every invocation fails with
 * Runtime.MalformedHandlerName "Bad handler", which the problem names. Whitespace is refused by Lambda's API.
 */
export const handlerName: Check = (value, path) => {
  const allowed = 'a handler such as "index.handler" (module.export)';
  if (typeof value !== 'string' || /\s/.test(value)) return problem(path, allowed, value);
  const file = value.slice(value.lastIndexOf('/') + 1);
  if (file.includes('.')) return [];
  const [found] = problem(path, allowed, value);
  return [
    {
      path,
      message: `${found!.message}: Lambda would fail every invocation with Runtime.MalformedHandlerName (Bad handler)`,
    },
  ];
};

export const nonEmptyString: Check = (value, path) =>
  typeof value === 'string' && value.trim() !== '' ? [] : problem(path, 'a non-empty string', value);

export const boolean: Check = (value, path) =>
  typeof value === 'boolean' ? [] : problem(path, 'true or false', value);

export const integer =
  (min: number, max: number): Check =>
  (value, path) =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max
      ? []
      : problem(path, `an integer from ${min} to ${max}`, value);

export const oneOf =
  (...allowed: string[]): Check =>
  (value, path) =>
    allowed.includes(value as string)
      ? []
      : problem(path, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, value);

export const stringMap =
  (keyRule?: { regex: RegExp; allowed: string }, reserved: (key: string) => boolean = () => false): Check =>
  (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return problem(path, 'an object of string values', value);
    const problems: ConfigProblem[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (keyRule && !keyRule.regex.test(key)) problems.push(...problem(`${path}.${key}`, keyRule.allowed, key));
      else if (reserved(key))
        problems.push({
          path: `${path}.${key}`,
          message: 'is reserved by Lambda and cannot be set; rename the variable',
        });
      if (typeof item !== 'string') problems.push(...problem(`${path}.${key}`, 'a string', item));
    }
    return problems;
  };

export const stringList: Check = (value, path) => {
  if (!Array.isArray(value)) return problem(path, 'an array of strings', value);
  return value.flatMap((item, index) => nonEmptyString(item, `${path}[${index}]`));
};

// Names Lambda sets itself (AWS docs, "Defined runtime environment variables").
export const RESERVED_ENV = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);
