'use strict';
// @ts-check
// Response streaming for handlers wrapped with awslambda.streamifyResponse: a Writable that sends its chunks as a
// chunked POST /response (Lambda-Runtime-Function-Response-Mode: streaming) and reports a mid-stream failure in
// the declared error trailers. Loaded only by streaming functions.

const { Writable } = require('stream');
const { requestHeaders, HTTP_INTEGRATION_CONTENT_TYPE } = require('./runtime-api.cjs');
const { SETTLED, HIGH_WATER_MARK } = require('./marks.cjs');

const PRELUDE_DELIMITER = Buffer.alloc(8); // eight NUL bytes between the HTTP prelude and the payload
const NOT_STARTED = 0;
const OPEN = 1;
const ENDED = 2;

/** @typedef {import('./loop.cjs').RuntimeLoop} RuntimeLoop */
/** @typedef {import('./response-parser.cjs').ResponseParser} ResponseParser */
/** What the stream needs of the loop's invocation (loop.cjs). */
/** @typedef {{ id: string, state: number, stream: ResponseStream | null, context: object }} StreamedInvocation */
/** @typedef {(write: (data: string | Buffer) => void) => void} FirstWriteHook */

class ResponseStream extends Writable {
  /**
   * @param {RuntimeLoop} loop
   * @param {StreamedInvocation} invocation
   * @param {number | undefined} highWaterMark
   */
  constructor(loop, invocation, highWaterMark) {
    super(highWaterMark === undefined ? {} : { highWaterMark });
    this.loop = loop;
    this.invocation = invocation;
    this.connection = loop.api.connection;
    this.phase = NOT_STARTED;
    this.contentType = 'application/octet-stream';
    /** @type {FirstWriteHook | null} writes the HTTP prelude (withHttpPrelude) */
    this.beforeFirstWrite = null;
    this.handlerDone = false;
    // A destroyed stream emits 'error'; the failure is reported to the API, it must not crash the process.
    this.on('error', () => {});
  }

  /** @param {string} contentType */
  setContentType(contentType) {
    if (this.phase !== NOT_STARTED) throw new Error('the content type cannot change once the response has started');
    if (typeof contentType !== 'string' || /[\r\n]/.test(contentType))
      throw new TypeError('the content type must be a string without line breaks');
    this.contentType = contentType;
  }

  open() {
    this.phase = OPEN;
    this.loop.api.openStream(
      this.invocation.id,
      this.contentType,
      (/** @type {Error | null} */ err, /** @type {ResponseParser} */ res) => this.onApiAnswer(err, res),
    );
    // Pending writes keep the process alive by themselves; an idle open stream must not, so that a handler
    // that returns without ending it is noticed when the event loop empties.
    this.connection.unref();
    const before = this.beforeFirstWrite;
    this.beforeFirstWrite = null;
    if (before !== null) before((data) => this.sendChunk(typeof data === 'string' ? Buffer.from(data) : data, null));
  }

  /**
   * @param {Buffer} data
   * @param {(() => void) | null} done
   */
  sendChunk(data, done) {
    this.connection.writeChunk(data, done);
  }

  /**
   * @param {Buffer | string} chunk
   * @param {BufferEncoding} encoding
   * @param {(error?: Error | null) => void} done
   */
  _write(chunk, encoding, done) {
    if (this.phase === NOT_STARTED) this.open();
    if (this.phase !== OPEN) return done();
    this.sendChunk(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk, done);
  }

  /** @param {(error?: Error | null) => void} done */
  _final(done) {
    if (this.phase === NOT_STARTED) this.open();
    this.terminate('');
    done();
  }

  /**
   * @param {Error | null} error
   * @param {(error?: Error | null) => void} done
   */
  _destroy(error, done) {
    if (error !== null && error !== undefined) this.fail(error, undefined);
    else if (this.phase !== ENDED) {
      if (this.phase === NOT_STARTED) this.open();
      this.terminate('');
    }
    done(null);
  }

  /**
   * Ends the chunked body; `trailers` are header lines (the error trailers) or ''.
   * @param {string} trailers
   */
  terminate(trailers) {
    if (this.phase !== OPEN) return;
    this.phase = ENDED;
    this.invocation.state = SETTLED;
    this.connection.endStream(trailers);
  }

  /**
   * The handler or the stream failed: before any byte, a plain /error; after, the error trailers.
   * @param {unknown} error what the handler threw or rejected with
   * @param {string | undefined} errorType
   */
  fail(error, errorType) {
    if (this.phase === ENDED) return;
    const loop = this.loop;
    if (this.phase === NOT_STARTED && this.beforeFirstWrite === null) {
      this.phase = ENDED;
      this.invocation.stream = null;
      return loop.postFailure(this.invocation, error, errorType);
    }
    if (this.phase === NOT_STARTED) this.open();
    const { serializeFailure } = require('./errors.cjs');
    const failure = serializeFailure(error, errorType);
    require('./logging.cjs').emitFailure('Invoke Error', failure.body);
    this.terminate(
      `${requestHeaders.errorType}: ${failure.headerType}\r\n` +
        `${requestHeaders.errorBody}: ${Buffer.from(failure.json).toString('base64')}\r\n`,
    );
    if (!this.destroyed) this.destroy();
  }

  /** The handler returned and nothing else is pending: finish the response the way it stands. */
  endFromEmptyLoop() {
    if (this.phase === ENDED) return;
    if (!this.writableEnded) this.end();
  }

  /**
   * @param {Error | null} err
   * @param {ResponseParser} res
   */
  onApiAnswer(err, res) {
    this.invocation.stream = null;
    this.phase = ENDED;
    const loop = this.loop;
    if (err !== null) return loop.onResponsePosted(err, res);
    if (res.status >= 200 && res.status < 300) return loop.next();
    if (res.status === 413) {
      process.stderr.write(
        `tslambda runtime: the Runtime API refused the streamed response as too large: ${res.body.toString('utf8', 0, 1024)}\n`,
      );
      return loop.next();
    }
    loop.rejected('/response', res);
  }
}

/**
 * @param {RuntimeLoop} loop
 * @param {StreamedInvocation} invocation
 * @param {unknown} event
 */
function invokeStreaming(loop, invocation, event) {
  const stream = new ResponseStream(loop, invocation, loop.handler[HIGH_WATER_MARK]);
  invocation.stream = stream;
  let result;
  try {
    result = loop.handler(event, stream, invocation.context);
  } catch (thrown) {
    return stream.fail(thrown, undefined);
  }
  if (
    result !== null &&
    (typeof result === 'object' || typeof result === 'function') &&
    typeof result.then === 'function'
  ) {
    result.then(
      () => {
        stream.handlerDone = true;
      },
      (/** @type {unknown} */ error) => stream.fail(error, undefined),
    );
  }
}

/**
 * awslambda.HttpResponseStream.from: the payload is preceded by the status/headers/cookies prelude.
 * @param {ResponseStream} stream
 * @param {unknown} prelude
 * @returns {ResponseStream}
 */
function withHttpPrelude(stream, prelude) {
  stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
  const json = JSON.stringify(prelude ?? {});
  stream.beforeFirstWrite = (write) => {
    write(json);
    write(PRELUDE_DELIMITER);
  };
  return stream;
}

module.exports = { invokeStreaming, withHttpPrelude, ResponseStream };
