// The environment variables Lambda sets in an execution environment, and the user's additions to them.

import { LATEST_VERSION } from '../api/protocol.js';

/** Lambda always runs in a region; a local run without one configured uses this (decided in aws/region.ts). */
export { LOCAL_DEFAULT_REGION as DEFAULT_LOCAL_REGION } from '../../aws/region.js';

export interface LambdaEnvironmentInputs {
  functionName: string;
  memorySizeMb: number;
  region: string;
}

/**
 * 32 hex digits, as Lambda's stream names end. Math.random, not node:crypto: the name only has to differ between
 * runs, and loading crypto would add milliseconds before invoke-local's first line.
 */
const streamId = () =>
  Array.from({ length: 4 }, () =>
    Math.floor(Math.random() * 2 ** 32)
      .toString(16)
      .padStart(8, '0'),
  ).join('');

/** What Lambda sets for a container-image function (AWS_LAMBDA_RUNTIME_API is added per environment). */
export function lambdaEnvironment(inputs: LambdaEnvironmentInputs): Record<string, string> {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    AWS_LAMBDA_FUNCTION_NAME: inputs.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: LATEST_VERSION,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(inputs.memorySizeMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${inputs.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[${LATEST_VERSION}]${streamId()}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: inputs.region,
    AWS_DEFAULT_REGION: inputs.region,
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
  };
}

/**
 * Parses a dotenv-style file: `KEY=value` lines, `export ` prefixes, `#` comments, blank lines, values in
 * single quotes (literal) or double quotes (\n, \" and \\ escapes). Returns the variables and the lines it
 * could not read (1-based), so the caller can name them all at once.
 */
export function parseEnvFile(text: string): { variables: Record<string, string>; badLines: number[] } {
  const variables: Record<string, string> = {};
  const badLines: number[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) return void badLines.push(index + 1);
    const [, key, rest] = match;
    let value = rest;
    if (value.startsWith("'")) {
      const end = value.indexOf("'", 1);
      if (end === -1) return void badLines.push(index + 1);
      value = value.slice(1, end);
    } else if (value.startsWith('"')) {
      const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(value);
      if (!quoted) return void badLines.push(index + 1);
      value = quoted[1].replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    variables[key] = value;
  });
  return { variables, badLines };
}
