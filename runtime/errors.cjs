'use strict';
// Turns whatever a handler throws, rejects with or passes to its callback into the Runtime API's error body
// `{errorType, errorMessage, stackTrace}` and the Lambda-Runtime-Function-Error-Type value that goes with it.
// Loaded only when something fails, so successful invocations never pay for it.

const HEADER_TYPE = /^(Runtime|Function)\.[A-Z][a-zA-Z]+$/;

/**
 * The error-type header value: types the runtime raises (`Runtime.*`, `Function.*`) pass through; a user error
 * class becomes `Function.<ClassName>` (letters only, first one upper-cased) so the caller still sees its name.
 */
function headerTypeFor(errorType) {
  if (HEADER_TYPE.test(errorType)) return errorType;
  const letters = String(errorType).replace(/[^a-zA-Z]/g, '');
  if (letters.length < 2) return 'Function.Error';
  return `Function.${letters[0].toUpperCase()}${letters.slice(1)}`;
}

/** The error body for any thrown value; `errorType` overrides the type derived from the value. */
function errorBody(value, errorType) {
  let body;
  try {
    body = isErrorLike(value) ? fromError(value) : fromValue(value);
  } catch {
    body = { errorType: 'Error', errorMessage: 'the handler failed with a value whose name, message or stack could not be read', stackTrace: [] };
  }
  if (errorType !== undefined) {
    if (body.errorType !== errorType) body.errorMessage = prefixed(body);
    body.errorType = errorType;
  }
  return body;
}

function prefixed(body) {
  return body.errorType === 'string' || body.errorType === 'undefined' ? body.errorMessage : `${body.errorType}: ${body.errorMessage}`;
}

function isErrorLike(value) {
  return value instanceof Error || (value !== null && typeof value === 'object' && typeof value.message === 'string' && typeof value.stack === 'string');
}

function fromError(error) {
  let errorType = typeof error.name === 'string' && error.name !== '' ? error.name : 'Error';
  // `class NotFound extends Error {}` keeps name "Error"; its class name is what the caller wants to see.
  const ctor = error.constructor;
  if (errorType === 'Error' && typeof ctor === 'function' && typeof ctor.name === 'string' && ctor.name !== '' && ctor.name !== 'Error') {
    errorType = ctor.name;
  }
  return { errorType, errorMessage: String(error.message ?? ''), stackTrace: stackFrames(error.stack) };
}

function fromValue(value) {
  if (typeof value === 'string') return { errorType: 'string', errorMessage: value, stackTrace: [] };
  let message;
  try {
    message = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  } catch {
    message = String(value);
  }
  return { errorType: value === null ? 'null' : typeof value, errorMessage: message ?? String(value), stackTrace: [] };
}

const RUNTIME_DIR = `${__dirname}/`;

/**
 * The `at …` frames of a V8 stack, without the `Name: message` header (which may span several lines) and without
 * the runtime's own frames, which say nothing about the user's code.
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

/** `{headerType, json}` ready to post for a failure; `errorType` forces a runtime type such as Runtime.HandlerNotFound. */
function serializeFailure(value, errorType) {
  const body = errorBody(value, errorType);
  return { headerType: headerTypeFor(body.errorType), json: JSON.stringify(body), body };
}

module.exports = { headerTypeFor, errorBody, serializeFailure, stackFrames };
