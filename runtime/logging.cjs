'use strict';
// @ts-check
// Console records as Lambda writes them: each console.* call becomes one stdout line carrying timestamp, request id
// and level, in the TEXT format (`ISO\trequestId\tLEVEL\tmessage`, newlines folded to \r so a multi-line message
// stays one record) or the JSON format (AWS_LAMBDA_LOG_FORMAT=JSON); AWS_LAMBDA_LOG_LEVEL drops lower levels.

const util = require('util');

/** @type {Record<string, number>} */
const LEVELS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };
/** @type {['trace' | 'debug' | 'info' | 'log' | 'warn' | 'error' | 'fatal', string][]} */
const METHODS = [
  ['trace', 'TRACE'],
  ['debug', 'DEBUG'],
  ['info', 'INFO'],
  ['log', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['fatal', 'FATAL'],
];

/** Shared with the loop, which sets the request id of the invocation in progress. */
/** @type {{ requestId: string | undefined, json: boolean }} */
const logState = { requestId: undefined, json: false };

/** @param {string} line */
function write(line) {
  process.stdout.write(line);
}

/**
 * @param {string} level
 * @param {unknown[]} args
 * @returns {string}
 */
function textRecord(level, args) {
  const message = util.format(...args).replace(/\n/g, '\r');
  return `${new Date().toISOString()}\t${logState.requestId}\t${level}\t${message}\n`;
}

/**
 * @param {string} level
 * @param {unknown[]} args
 * @returns {string}
 */
function jsonRecord(level, args) {
  /** @type {Record<string, unknown>} */
  const record = { timestamp: new Date().toISOString(), level, requestId: logState.requestId, message: undefined };
  if (args.length === 1 && typeof args[0] !== 'string') {
    // One structured value stays structured (an Error becomes its type, message and stack).
    const value = args[0];
    if (value instanceof Error) {
      record.message = value.message;
      addError(record, value);
    } else {
      record.message = value;
    }
    try {
      return JSON.stringify(record) + '\n';
    } catch {
      record.message = util.format(value);
      return JSON.stringify(record) + '\n';
    }
  }
  record.message = util.format(...args);
  for (const arg of args) {
    if (arg instanceof Error) {
      addError(record, arg);
      break;
    }
  }
  return JSON.stringify(record) + '\n';
}

/**
 * @param {Record<string, unknown>} record
 * @param {Error} error
 */
function addError(record, error) {
  record.errorType = error.name || error.constructor?.name || 'Error';
  record.errorMessage = error.message;
  record.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
}

/**
 * An ERROR record for a failure the runtime reports (`label` such as "Invoke Error", `body` the posted
 * `{errorType, errorMessage, stackTrace}`): TEXT keeps Lambda's `label \t{json}`, JSON puts the fields in the record.
 * @param {string} label
 * @param {object} body
 */
function emitFailure(label, body) {
  if (!logState.json) return write(textRecord('ERROR', [`${label} \t${JSON.stringify(body)}`]));
  const record = {
    timestamp: new Date().toISOString(),
    level: 'ERROR',
    requestId: logState.requestId,
    message: label,
    ...body,
  };
  write(JSON.stringify(record) + '\n');
}

/**
 * Replaces console methods according to AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL.
 * @param {NodeJS.ProcessEnv} env
 */
function installConsole(env) {
  logState.json = String(env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';
  const threshold = LEVELS[String(env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()] || LEVELS.TRACE;
  const format = logState.json ? jsonRecord : textRecord;
  const noop = () => {};
  for (const [method, level] of METHODS) {
    console[method] =
      LEVELS[level] < threshold ? noop : (/** @type {unknown[]} */ ...args) => write(format(level, args));
  }
}

module.exports = { installConsole, emitFailure, logState };
