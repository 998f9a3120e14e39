'use strict';
// @ts-check
// Turns whatever a handler throws, rejects with or passes to its callback into the Runtime API's error body
// `{errorType, errorMessage, stackTrace}` and the Lambda-Runtime-Function-Error-Type value that goes with it.
// Loaded only when something fails, so successful invocations never pay for it.

const { ric4 } = require('./contract.cjs');

/** @typedef {{ errorType: string, errorMessage: string, stackTrace: string[] }} ErrorBody what /error and /init/error carry */

const HEADER_TYPE = /^(Runtime|Function)\.[A-Z][a-zA-Z]+$/;

/**
 * The error-type header value: types the runtime raises (`Runtime.*`, `Function.*`) pass through; a user error
 * class becomes `Function.<ClassName>` (letters only, first one upper-cased) so the caller still sees its name.
 * @param {string} errorType
 * @returns {string}
 */
function headerTypeFor(errorType) {
  if (HEADER_TYPE.test(errorType)) return errorType;
  const letters = String(errorType).replace(/[^a-zA-Z]/g, '');
  if (letters.length < 2) return 'Function.Error';
  return `Function.${letters[0].toUpperCase()}${letters.slice(1)}`;
}

/**
 * The error body for any thrown value; `errorType` overrides the type derived from the value.
 * @param {unknown} value
 * @param {string | undefined} errorType
 * @returns {ErrorBody}
 */
function errorBody(value, errorType) {
  /** @type {ErrorBody} */
  let body;
  try {
    body = isErrorLike(value) ? fromError(value) : fromValue(value);
  } catch {
    body = { errorType: 'handled', errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack', stackTrace: [] };
  }
  if (errorType !== undefined) {
    if (body.errorType !== errorType) body.errorMessage = prefixed(body);
    body.errorType = errorType;
  }
  return body;
}

/** @param {ErrorBody} body */
function prefixed(body) {
  return body.errorType === 'string' || body.errorType === 'undefined' ? body.errorMessage : `${body.errorType}: ${body.errorMessage}`;
}

// As the official client: a native error, or anything with non-empty string name, message and stack.
/**
 * @param {any} value
 * @returns {value is Error & { stack: string }}
 */
function isErrorLike(value) {
  if (require('util').types.isNativeError(value)) return true;
  return Boolean(value && value.name && value.message && value.stack) && typeof value.name === 'string' && typeof value.message === 'string' && typeof value.stack === 'string';
}

// The error's own name, not its class's: `class NotFound extends Error {}` reports "Error", as on Lambda.
/**
 * @param {Error & { stack: string }} error
 * @returns {ErrorBody}
 */
function fromError(error) {
  return { errorType: error.name, errorMessage: error.message, stackTrace: stackFrames(error.stack) };
}

/**
 * Anything else is reported as on Lambda: its typeof and its string form, so a thrown plain object is
 * `object` / `[object Object]`. Up to Node 22 (ric 3.x) a missing value (`context.fail()`, a rejection with
 * undefined or null) is the string "handled"; from Node 24 (ric 4.x) it is its typeof and String().
 * @param {any} value
 * @returns {ErrorBody}
 */
function fromValue(value) {
  if ((value === undefined || value === null) && !ric4) return { errorType: 'string', errorMessage: 'handled', stackTrace: [] };
  return { errorType: typeof value, errorMessage: ric4 ? String(value) : value.toString(), stackTrace: [] };
}

const RUNTIME_DIR = `${__dirname}/`;

/**
 * The `at …` frames of a V8 stack, without the `Name: message` header (which may span several lines) and without
 * the runtime's own frames, which say nothing about the user's code.
 * @param {unknown} stack
 * @returns {string[]}
 */
function stackFrames(stack) {
  if (typeof stack !== 'string') return [];
  const lines = stack.split('\n');
  let first = 0;
  while (first < lines.length && !/^\s+at /.test(lines[first])) first++;
  const frames = [];
  for (let i = first; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line !== '' && !line.includes(RUNTIME_DIR)) frames.push(line);
  }
  return frames;
}

/**
 * `{headerType, json}` ready to post for a failure; `errorType` forces a runtime type such as Runtime.HandlerNotFound.
 * @param {unknown} value
 * @param {string | undefined} errorType
 */
function serializeFailure(value, errorType) {
  const body = errorBody(value, errorType);
  return { headerType: headerTypeFor(body.errorType), json: JSON.stringify(body), body };
}

module.exports = { headerTypeFor, errorBody, serializeFailure, stackFrames };
