// The `program` key: a handler that is a program in any language, served by the runtime loop over stdio, http or
// exec. Its type and its check live here, apart from the option table, so that either can take them as they are.
import type { ConfigProblem } from './checks.js';

export type ProgramProtocol = 'stdio' | 'http' | 'exec';

export interface ProgramConfig {
  /** The program and its arguments, run in the task root (/var/task). */
  command: string[];
  /** stdio (warm, one JSON line per event; the default), http (a warm HTTP server) or exec (a process per event). */
  protocol?: ProgramProtocol;
  /** http: the port the server listens on (default 8080, also given to it as PORT). */
  port?: number;
  /** http: the path answering below 500 once the server is ready (default "/"). */
  healthPath?: string;
  /** http: where events that are not HTTP requests are POSTed as JSON (default "/events"). */
  path?: string;
  /** http: stream the response (for a function whose invoke mode is RESPONSE_STREAM). */
  stream?: boolean;
  /** stdio: init waits for the program's `@tslambda {"ready": true}` line (the shipped adapters write it). */
  awaitReady?: boolean;
  /** How long init waits for the program to be ready, in ms (default 9500, below Lambda's 10 s init limit). */
  initTimeoutMs?: number;
  /**
   * Node for the runtime loop: "stage" (default) copies it with its libraries from `nodeImage` to /opt/tslambda/node,
   * for a base image without Node; or the path of the node binary the base image already has.
   */
  node?: string;
  /** The image the Node stage copies from (default "node:22-slim"; "node:22-alpine" works for any base too). */
  nodeImage?: string;
}

const KEYS = [
  'command',
  'protocol',
  'port',
  'healthPath',
  'path',
  'stream',
  'initTimeoutMs',
  'awaitReady',
  'node',
  'nodeImage',
];

export function checkProgram(value: unknown, path: string): ConfigProblem[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path, message: 'expected an object such as {"command": ["python3", "worker.py"], "protocol": "stdio"}' }];
  }
  const program = value as Record<string, unknown>;
  const problems: ConfigProblem[] = [];
  const add = (key: string, message: string) => problems.push({ path: `${path}.${key}`, message });
  for (const key of Object.keys(program))
    if (!KEYS.includes(key)) add(key, `unknown key; allowed keys: ${KEYS.join(', ')}`);
  const { command, protocol, port, healthPath, stream, initTimeoutMs, node, nodeImage } = program;
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    !command.every((part) => typeof part === 'string' && part !== '')
  ) {
    add('command', 'expected a non-empty array of strings, e.g. ["python3", "worker.py"]');
  }
  if (protocol !== undefined && !['stdio', 'http', 'exec'].includes(protocol as string))
    add('protocol', `expected one of "stdio", "http", "exec", found ${JSON.stringify(protocol)}`);
  if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535))
    add('port', `expected a port from 1 to 65535, found ${JSON.stringify(port)}`);
  for (const key of ['healthPath', 'path'] as const) {
    const v = program[key];
    if (v !== undefined && (typeof v !== 'string' || !v.startsWith('/')))
      add(key, `expected a path starting with "/", found ${JSON.stringify(v)}`);
  }
  if (stream !== undefined && typeof stream !== 'boolean') add('stream', 'expected true or false');
  if (program.awaitReady !== undefined && typeof program.awaitReady !== 'boolean')
    add('awaitReady', 'expected true or false');
  if (initTimeoutMs !== undefined && !(Number.isInteger(initTimeoutMs) && (initTimeoutMs as number) > 0))
    add('initTimeoutMs', 'expected a positive number of milliseconds');
  if (node !== undefined && (typeof node !== 'string' || (node !== 'stage' && !node.startsWith('/'))))
    add('node', 'expected "stage" or the absolute path of the base image\'s node binary');
  if (nodeImage !== undefined && (typeof nodeImage !== 'string' || nodeImage.trim() === ''))
    add('nodeImage', 'expected an image name such as "node:22-slim"');
  // Only said of a protocol that exists: a misspelt one is reported once, above.
  if (protocol === undefined || protocol === 'stdio' || protocol === 'exec') {
    for (const key of ['port', 'healthPath', 'path', 'stream'])
      if (program[key] !== undefined) add(key, `applies to "protocol": "http" only; remove it or set the protocol`);
  }
  return problems;
}

/** The value of TSLAMBDA_PROGRAM, which tells the runtime loop what to run (build-time keys left out). */
export function programEnvValue(program: ProgramConfig): string {
  const { node: _node, nodeImage: _nodeImage, ...runtime } = program;
  return JSON.stringify(runtime);
}
