'use strict';
// @ts-check
// Values several runtime files agree on, defined once: the marks awslambda.streamifyResponse puts on a handler
// (Symbol.for keys, the same as aws-lambda-ric's) and the completion states of an invocation.

/** Set to 'response' on a handler wrapped with awslambda.streamifyResponse. */
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
/** The highWaterMark option of awslambda.streamifyResponse, for the handler's response stream. */
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

/**
 * A handler as the module exports it, with the marks streamifyResponse may have set.
 * @typedef {((...args: any[]) => any) & { [STREAMING]?: string, [HIGH_WATER_MARK]?: number }} Handler
 */

const RUNNING = 0; // the handler has not completed
const AWAITING_EMPTY_LOOP = 1; // the callback was called; the result is posted once the event loop is empty
const SETTLED = 2; // the outcome is being posted or was posted

module.exports = { STREAMING, HIGH_WATER_MARK, RUNNING, AWAITING_EMPTY_LOOP, SETTLED };
