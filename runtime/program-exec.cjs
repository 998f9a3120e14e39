'use strict';
// @ts-check
// The exec protocol, for shell tools: one process per invocation, the event (JSON) on its stdin, the context in
// its environment (LAMBDA_REQUEST_ID, LAMBDA_DEADLINE_MS, LAMBDA_FUNCTION_ARN, _X_AMZN_TRACE_ID, LAMBDA_CONTEXT),
// its stdout the result (JSON, or else taken as a string), its stderr function logs. A non-zero exit is an error;
// a process still running at the deadline is killed.

const { ProgramProcess, programError, describeExit, timeoutError, untilDeadline } = require('./program-process.cjs');
const { contextOf } = require('./program.cjs');

/** @typedef {import('./program.cjs').ProgramConfig} ProgramConfig */
/** @typedef {import('./program.cjs').ProgramOptions} ProgramOptions */
/** @typedef {import('./program.cjs').ProgramContext} ProgramContext */

/**
 * @param {ProgramConfig} config
 * @param {ProgramOptions} options
 * @param {unknown} event
 * @param {ProgramContext} context
 * @returns {Promise<unknown>}
 */
function invoke(config, options, event, context) {
  const env = {
    ...options.env,
    LAMBDA_REQUEST_ID: context.awsRequestId,
    LAMBDA_DEADLINE_MS: String(context.deadlineMs),
    LAMBDA_FUNCTION_ARN: context.invokedFunctionArn ?? '',
    LAMBDA_CONTEXT: JSON.stringify(contextOf(context)),
  };
  return new Promise((resolve, reject) => {
    const startedMs = Date.now();
    const proc = new ProgramProcess(
      config.command,
      { cwd: options.cwd, env, collectStdout: true },
      undefined,
      (code, signal) => {
        clearTimeout(timer);
        if (code !== 0) {
          return reject(
            programError(
              'Runtime.ExitError',
              `the program ${JSON.stringify(config.command.join(' '))} ${describeExit(code, signal)}; its last output:\n${proc.tail()}`,
            ),
          );
        }
        resolve(resultOf(Buffer.concat(proc.collected ?? [])));
      },
    );
    const timer = setTimeout(() => {
      reject(timeoutError(startedMs, context.deadlineMs));
      proc.kill();
    }, untilDeadline(context.deadlineMs));
    proc.started().then(
      () => proc.child.stdin.end(JSON.stringify(event)),
      (/** @type {Error} */ err) => {
        clearTimeout(timer);
        reject(programError('Runtime.InvalidEntrypoint', err.message));
      },
    );
  });
}

/**
 * stdout as JSON when it parses, else as text without its final newline (so `echo hello` returns "hello").
 * @param {Buffer} buffer
 */
function resultOf(buffer) {
  const text = buffer.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text.endsWith('\n') ? text.slice(0, -1) : text;
  }
}

/**
 * @param {ProgramConfig} config
 * @param {ProgramOptions} options
 */
async function start(config, options) {
  return (/** @type {unknown} */ event, /** @type {ProgramContext} */ context) =>
    invoke(config, options, event, context);
}

module.exports = { start };
