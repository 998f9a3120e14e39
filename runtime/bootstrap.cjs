'use strict';
// @ts-check
// Entry point of the runtime shipped in every image (`node /opt/tslambda/runtime/bootstrap.cjs <handler>`): reads
// the environment, installs the console format and the `awslambda` global, loads the handler and starts the loop,
// or reports an init failure on /init/error and exits non-zero.

const { installConsole, emitFailure } = require('./logging.cjs');
const { RuntimeApi, errorTypes, LOG_FENCE_ENV } = require('./runtime-api.cjs');
const { loadHandler, InitError } = require('./handler-loader.cjs');
const { RuntimeLoop, die } = require('./loop.cjs');

const { STREAMING, HIGH_WATER_MARK } = require('./marks.cjs');

/** @typedef {import('./marks.cjs').Handler} Handler */
/** @typedef {import('./streaming.cjs').ResponseStream} ResponseStream */

const env = process.env;
installConsole(env);

const apiAddress = env.AWS_LAMBDA_RUNTIME_API;
if (apiAddress === undefined || apiAddress === '') {
  die(
    'AWS_LAMBDA_RUNTIME_API is not set: this program runs inside Lambda or under `tslambda invoke-local`, which set it to host:port',
  );
}
const handlerString = env._HANDLER || process.argv[2];
const taskRoot = env.LAMBDA_TASK_ROOT || process.cwd();

// As on Lambda: handlers wrap themselves with awslambda.streamifyResponse before the runtime sees them.
globalThis.awslambda = {
  /**
   * @param {Handler} handler
   * @param {{ highWaterMark?: unknown } | null} [options]
   */
  streamifyResponse(handler, options) {
    handler[STREAMING] = 'response';
    if (options !== undefined && options !== null && typeof options.highWaterMark === 'number')
      handler[HIGH_WATER_MARK] = options.highWaterMark;
    return handler;
  },
  HttpResponseStream: class HttpResponseStream {
    /**
     * @param {ResponseStream} stream
     * @param {unknown} prelude
     */
    static from(stream, prelude) {
      return require('./streaming.cjs').withHttpPrelude(stream, prelude);
    }
  },
};

// Read and removed before user code runs: it is tslambda's signal, not part of the function's environment.
const logFence = env[LOG_FENCE_ENV] === '1';
delete env[LOG_FENCE_ENV];
// Also invoke-local's: with --inspect the inspector is this process's alone, not its children's (extensions,
// programs), which would fight for its port.
if (env._TSLAMBDA_INSPECT !== undefined) {
  env.NODE_OPTIONS = (env.NODE_OPTIONS ?? '').replace(/--inspect(-brk)?(=\S*)?/g, '').trim();
  delete env._TSLAMBDA_INSPECT;
}
const extensionsDir = env._TSLAMBDA_EXTENSIONS_DIR;
delete env._TSLAMBDA_EXTENSIONS_DIR;
/** @type {Promise<void> | null} the extensions started and named to the emulator (invoke-local only) */
const extensionsLaunched =
  extensionsDir === undefined || apiAddress === undefined
    ? null
    : new Promise((resolve) => require('./extensions.cjs').launchExtensions(extensionsDir, apiAddress, env, resolve));
const api = new RuntimeApi(/** @type {string} die() exits when unset */ (apiAddress), { logFence });
// The TCP handshake proceeds while the handler loads.
api.connection.preconnect();
/** @type {RuntimeLoop | null} */
let loop = null;
let initFailed = false;

process.on('uncaughtException', (error) => onUncaught(error, undefined));
process.on('unhandledRejection', (reason) => onUncaught(reason, errorTypes.unhandledRejection));

/**
 * @param {unknown} error
 * @param {string | undefined} errorType
 */
function onUncaught(error, errorType) {
  if (loop !== null) loop.onUncaught(error, errorType);
  else reportInitError(error, errorType);
}

// A `program` handler (any language) replaces the Node module; see program.cjs.
const loading = env.TSLAMBDA_PROGRAM
  ? require('./program.cjs').loadProgram(env, taskRoot)
  : loadHandler(taskRoot, handlerString);
loading.then(
  (handler) => {
    // One macrotask later, so that a promise the module left rejected is still reported as an init error.
    setImmediate(() => {
      if (initFailed) return;
      const start = () => {
        if (initFailed) return;
        loop = new RuntimeLoop(api, handler, env);
        loop.start();
      };
      if (extensionsLaunched === null) start();
      else extensionsLaunched.then(start);
    });
  },
  (error) => reportInitError(error, undefined),
);

/**
 * @param {any} error what loading threw: an InitError, or anything the module threw or rejected with
 * @param {string | undefined} errorType
 */
function reportInitError(error, errorType) {
  if (initFailed) return;
  initFailed = true;
  const { errorBody, headerTypeFor, stackLines } = require('./errors.cjs');
  // Only the runtime's own InitError names a Runtime.* type: a user's error with an errorType property is just an error.
  const initError = error instanceof InitError ? error : undefined;
  const body = errorBody(error, errorType ?? initError?.errorType);
  // An InitError wraps the user's error: its stack is the one worth showing.
  const causeStack = /** @type {{ stack?: unknown } | undefined} */ (initError?.cause)?.stack;
  if (causeStack !== undefined) body.trace = stackLines(causeStack);
  const json = JSON.stringify(body);
  emitFailure('Init Error', body);
  api.postInitError(headerTypeFor(body.errorType), json, (err, res) => {
    if (err !== null) die(`could not report the init error to the Runtime API: ${err.message}`);
    else if (res.status >= 300) die(`the Runtime API answered ${res.status} to /init/error`);
    else process.exit(1);
  });
}
