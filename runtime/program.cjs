'use strict';
// @ts-check
// A handler that is a program in any language: reads the `program` config (TSLAMBDA_PROGRAM, JSON, set by the
// generated Dockerfile), checks it, and returns the Node handler the loop calls, built by the protocol's adapter
// (stdio: one warm process answering one line per event; http: a warm HTTP server; exec: one process per event).

const { InitError } = require('./handler-loader.cjs');
const { invocationHeaders: H } = require('./runtime-api.cjs');

/** @typedef {import('./marks.cjs').Handler} Handler */

/**
 * The program config, checked and with its defaults.
 * @typedef {{
 *   command: string[], protocol: 'stdio' | 'http' | 'exec', port: number, healthPath: string, path: string,
 *   stream: boolean, awaitReady: boolean, initTimeoutMs: number
 * }} ProgramConfig
 */

/**
 * Where a program runs: the function's environment and the task root.
 * @typedef {{ env: NodeJS.ProcessEnv, cwd: string }} ProgramOptions
 */

/**
 * What a program adapter reads of the context the loop gives a handler.
 * @typedef {{
 *   awsRequestId: string, deadlineMs: number, invokedFunctionArn?: string, tenantId?: string, functionName?: string,
 *   functionVersion?: string, memoryLimitInMB?: string, logGroupName?: string, logStreamName?: string,
 *   headers: Readonly<Record<string, string | undefined>>
 * }} ProgramContext
 */

const PROGRAM_ENV = 'TSLAMBDA_PROGRAM';
const PROTOCOLS = ['stdio', 'http', 'exec'];
const INVALID = 'Runtime.InvalidProgram';

/**
 * Parses and checks the config; every problem is an InitError naming the key and the fix.
 * @param {string | undefined} text
 * @returns {ProgramConfig}
 */
function parseProgram(text) {
  /** @type {any} */
  let config;
  try {
    config = JSON.parse(text ?? '');
  } catch (err) {
    throw new InitError(INVALID, `${PROGRAM_ENV} is not valid JSON: ${/** @type {Error} */ (err).message}`);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config))
    throw new InitError(
      INVALID,
      `${PROGRAM_ENV} must be a JSON object such as {"command":["python3","worker.py"],"protocol":"stdio"}`,
    );
  const { command } = config;
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    !command.every((/** @type {unknown} */ part) => typeof part === 'string' && part !== '')
  ) {
    throw new InitError(INVALID, 'program.command must be a non-empty array of strings, e.g. ["python3", "worker.py"]');
  }
  const protocol = config.protocol ?? 'stdio';
  if (!PROTOCOLS.includes(protocol))
    throw new InitError(
      INVALID,
      `program.protocol must be one of ${PROTOCOLS.join(', ')}, not ${JSON.stringify(protocol)}`,
    );
  const port = config.port ?? 8080;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new InitError(INVALID, `program.port must be a TCP port number, not ${JSON.stringify(config.port)}`);
  for (const key of ['healthPath', 'path']) {
    if (config[key] !== undefined && (typeof config[key] !== 'string' || !config[key].startsWith('/'))) {
      throw new InitError(
        INVALID,
        `program.${key} must be a path starting with "/", not ${JSON.stringify(config[key])}`,
      );
    }
  }
  return {
    command,
    protocol,
    port,
    healthPath: config.healthPath ?? '/',
    path: config.path ?? '/events',
    stream: config.stream === true,
    awaitReady: config.awaitReady === true,
    initTimeoutMs: typeof config.initTimeoutMs === 'number' ? config.initTimeoutMs : 9500,
  };
}

/**
 * The context a program receives with each event: flat (strings, numbers, null), so that an adapter without a JSON
 * parser can split a stdio line at its first `},"event":`. Client context and identity stay the JSON text of
 * their Runtime API headers.
 * @param {ProgramContext} context
 */
function contextOf(context) {
  const h = context.headers;
  return {
    requestId: context.awsRequestId,
    deadlineMs: context.deadlineMs,
    invokedFunctionArn: context.invokedFunctionArn ?? null,
    traceId: h[H.traceId] ?? null,
    clientContext: h[H.clientContext] ?? null,
    identity: h[H.cognitoIdentity] ?? null,
    tenantId: context.tenantId ?? null,
    functionName: context.functionName ?? null,
    functionVersion: context.functionVersion ?? null,
    memoryLimitInMB: context.memoryLimitInMB ?? null,
    logGroupName: context.logGroupName ?? null,
    logStreamName: context.logStreamName ?? null,
  };
}

/**
 * Reads the program config from the environment (removed there: it is tslambda's, not the function's) and starts it.
 * @param {NodeJS.ProcessEnv} env
 * @param {string} taskRoot
 * @returns {Promise<Handler>}
 */
async function loadProgram(env, taskRoot) {
  const config = parseProgram(env[PROGRAM_ENV]);
  delete env[PROGRAM_ENV];
  /** @type {{ start(config: ProgramConfig, options: ProgramOptions): Promise<Handler> }} */
  const adapter = require(`./program-${config.protocol}.cjs`);
  return adapter.start(config, { env, cwd: taskRoot });
}

module.exports = { loadProgram, parseProgram, contextOf, PROGRAM_ENV };
