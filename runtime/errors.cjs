'use strict';
// @ts-check
// Turns whatever a handler throws, rejects with or passes to its callback into the Runtime API's error body
// `{errorType, errorMessage, trace}` (the official Node client's field names, 3.x and 4.x) and the
// Lambda-Runtime-Function-Error-Type value that goes with it.
// Loaded only when something fails, so successful invocations never pay for it.

const { ric4 } = require('./contract.cjs');

/** @typedef {{ errorType: string, errorMessage: string, trace?: string[] }} ErrorBody what /error and /init/error carry */

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
 * A failure the runtime itself reports for a program handler (its exit, a timeout, an answer it cannot use): the
 * body is its type and message with no trace, whatever the contract's rules for values a handler throws.
 */
class RuntimeFailure extends Error {
  /**
   * @param {string} type a Runtime.*, Sandbox.* or program-given error type
   * @param {string} message
   */
  constructor(type, message) {
    super(message);
    this.name = type;
  }
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
    body =
      value instanceof RuntimeFailure
        ? { errorType: value.name, errorMessage: value.message, trace: [] }
        : isErrorLike(value)
          ? fromError(value)
          : fromValue(value);
  } catch {
    body = {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
    // 3.x sends no trace here, 4.x an empty one.
    if (ric4) body.trace = [];
  }
  if (errorType !== undefined) {
    if (body.errorType !== errorType) body.errorMessage = prefixed(body);
    body.errorType = errorType;
  }
  return body;
}

/** @param {ErrorBody} body */
function prefixed(body) {
  return body.errorType === 'string' || body.errorType === 'undefined'
    ? body.errorMessage
    : `${body.errorType}: ${body.errorMessage}`;
}

// Which thrown values are errors, as each official client decides: 3.x (up to Node 22) takes a native error from
// any realm, or anything with non-empty string name, message and stack; 4.x (Node 24) takes exactly what is
// `instanceof Error` here, so an error made in a vm context, or an error-shaped object, is reported by its typeof.
/**
 * @param {any} value
 * @returns {value is Error}
 */
function isErrorLike(value) {
  if (ric4) return value instanceof Error;
  if (require('util').types.isNativeError(value)) return true;
  return (
    Boolean(value && value.name && value.message && value.stack) &&
    typeof value.name === 'string' &&
    typeof value.message === 'string' &&
    typeof value.stack === 'string'
  );
}

// The error's own name, not its class's: `class NotFound extends Error {}` reports "Error", as on Lambda. A name or
// message that is unset is left out of the body (JSON drops undefined); one that is not a string, or (3.x) a missing
// stack, makes the caller's catch report the "handled" body, as both clients do.
/**
 * @param {Error} error
 * @returns {ErrorBody}
 */
function fromError(error) {
  const stack = ric4 && error.stack == null ? [] : stackLines(requireString(error.stack));
  return {
    errorType: /** @type {string} */ (optionalText(error.name)),
    errorMessage: /** @type {string} */ (optionalText(error.message)),
    trace: stack,
  };
}

/**
 * @param {unknown} value
 * @returns {string | undefined}
 */
function optionalText(value) {
  return value == null ? undefined : withoutDel(requireString(value));
}

/**
 * @param {unknown} value
 * @returns {string}
 */
function requireString(value) {
  if (typeof value !== 'string') throw new TypeError('not a string');
  return value;
}

/**
 * Anything else is reported as on Lambda: its typeof and its string form, so a thrown plain object is
 * `object` / `[object Object]`. Up to Node 22 (ric 3.x) a missing value (`context.fail()`, a rejection with
 * undefined or null) is the string "handled"; from Node 24 (ric 4.x) it is its typeof and String().
 * @param {any} value
 * @returns {ErrorBody}
 */
function fromValue(value) {
  if ((value === undefined || value === null) && !ric4)
    return { errorType: 'string', errorMessage: 'handled', trace: [] };
  return { errorType: typeof value, errorMessage: ric4 ? String(value) : value.toString(), trace: [] };
}

const RUNTIME_DIR = `${__dirname}/`;

// The official client writes DEL as %7F in every text it posts.
/** @param {string} text */
const withoutDel = (text) => text.replace(/\x7F/g, '%7F');

/**
 * A V8 stack as the official client sends it: one entry per line, the `Name: message` header included, DEL
 * characters written %7F; the runtime's own frames are left out, as they say nothing about the user's code.
 * @param {unknown} stack
 * @returns {string[]}
 */
function stackLines(stack) {
  if (typeof stack !== 'string') return [];
  return withoutDel(stack)
    .split('\n')
    .filter((line) => !(/^\s+at /.test(line) && line.includes(RUNTIME_DIR)));
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

module.exports = { headerTypeFor, errorBody, serializeFailure, stackLines, RuntimeFailure };
