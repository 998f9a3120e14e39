// @ts-nocheck -- not yet JSDoc-typed (merged from anyprogram before the deadline); remove once typed like the other runtime files.
'use strict';
// A handler that is a program in any language: reads the `program` config (TSLAMBDA_PROGRAM, JSON, set by the
// generated Dockerfile), checks it, and returns the Node handler the loop calls, built by the protocol's adapter
// (stdio: one warm process answering one line per event; http: a warm HTTP server; exec: one process per event).

const { InitError } = require('./handler-loader.cjs');

const PROGRAM_ENV = 'TSLAMBDA_PROGRAM';
const PROTOCOLS = ['stdio', 'http', 'exec'];
const INVALID = 'Runtime.InvalidProgram';

/** Parses and checks the config; every problem is an InitError naming the key and the fix. */
function parseProgram(text) {
  let config;
  try {
    config = JSON.parse(text);
  } catch (err) {
    throw new InitError(INVALID, `${PROGRAM_ENV} is not valid JSON: ${err.message}`);
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
    !command.every((part) => typeof part === 'string' && part !== '')
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
 */
function contextOf(context) {
  const h = context.headers;
  return {
    requestId: context.awsRequestId,
    deadlineMs: context.deadlineMs,
    invokedFunctionArn: context.invokedFunctionArn ?? null,
    traceId: h['lambda-runtime-trace-id'] ?? null,
    clientContext: h['lambda-runtime-client-context'] ?? null,
    identity: h['lambda-runtime-cognito-identity'] ?? null,
    tenantId: context.tenantId ?? null,
    functionName: context.functionName ?? null,
    functionVersion: context.functionVersion ?? null,
    memoryLimitInMB: context.memoryLimitInMB ?? null,
    logGroupName: context.logGroupName ?? null,
    logStreamName: context.logStreamName ?? null,
  };
}

/** Reads the program config from the environment (removed there: it is tslambda's, not the function's) and starts it. */
async function loadProgram(env, taskRoot) {
  const config = parseProgram(env[PROGRAM_ENV]);
  delete env[PROGRAM_ENV];
  const adapter = require(`./program-${config.protocol}.cjs`);
  return adapter.start(config, { env, cwd: taskRoot });
}

module.exports = { loadProgram, parseProgram, contextOf, PROGRAM_ENV };
