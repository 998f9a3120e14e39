'use strict';
// @ts-check
// The runtime's HTTP/1.1 client: one persistent connection to the Runtime API that writes hand-built requests
// (a streamed body in chunks) and reads each response out of one reused read buffer (framed by ResponseParser),
// reconnecting whenever the server closes or the framing is in doubt.

const net = require('net');
const { ResponseParser } = require('./response-parser.cjs');

/** @typedef {import('./large-json.cjs').SplicedJson} SplicedJson */
/** @typedef {string | Buffer | SplicedJson} RequestBody a string is sent as UTF-8 */

const EMPTY = Buffer.alloc(0);
const CRLF = '\r\n';

/** @typedef {(err: Error | null, res: ResponseParser) => void} ResponseCallback the complete response, or why none came */
/** @typedef {{ head: string, callback: ResponseCallback }} FollowingRequest */
/** Node's Buffer encoders without `write()`'s argument juggling; present on every Buffer, absent from @types/node. */
/** @typedef {Buffer & { latin1Write(text: string, offset: number): number, utf8Write(text: string, offset: number): number }} FastBuffer */

const READ_BUFFER_BYTES = 64 * 1024;
// String bodies longer than this are encoded into the connection's reused send buffer (see encodeLarge).
const LARGE_TEXT_CHARS = 16 * 1024;
// Room for `Content-Length: <up to 16 digits>` and the blank line that ends a head.
const CONTENT_LENGTH_ROOM = 40;
// At start the API may not be listening yet: retry a refused connection for this long before giving up.
const CONNECT_WINDOW_MS = 2000;

class HttpConnection {
  /**
   * `host`/`port` of the server; requests are whole heads built by the caller (see runtime-api.cjs).
   * @param {string} host
   * @param {number} port
   */
  constructor(host, port) {
    this.host = host;
    this.port = port;
    /** @type {net.Socket | null} */
    this.socket = null;
    this.parser = new ResponseParser();
    this.readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    /** @type {Buffer} */
    this.sendBuffer = EMPTY;
    this.busy = false;
    this.writing = false;
    this.streaming = false; // a streamed request body is still being written
    this.reused = false; // the socket already carried a response: a close before any byte is the keep-alive race
    this.retried = false;
    this.everConnected = false;
    this.firstAttemptAt = 0;
    this.connectAttempts = 0;
    this.referenced = true;
    this.head = '';
    /** @type {RequestBody | null} */
    this.body = null;
    /** @type {ResponseCallback | null} */
    this.callback = null;
    /** @type {FollowingRequest | null} */
    this.follow = null; // a request written right behind the current one (pipelined): { head, callback }
    this.onRead = this.onRead.bind(this);
    this.nextReadBuffer = this.nextReadBuffer.bind(this);
    this.onWritten = this.onWritten.bind(this);
  }

  /**
   * Sends one request and calls `callback(err, parser)` once with the complete response (`parser.status`,
   * `parser.headers`, `parser.body`). The body is a view into the read buffer: use it before returning.
   * Without a body, `head` is the whole head, blank line included. With one, `head` ends with the last header's CRLF,
   * and the connection adds Content-Length and the blank line: a large body's byte count is known once encoded.
   * @param {string} head
   * @param {RequestBody | null} body
   * @param {ResponseCallback} callback
   */
  request(head, body, callback) {
    if (this.busy) throw new Error('tslambda runtime: a request is already in flight');
    this.busy = true;
    this.head = head;
    this.body = body;
    this.callback = callback;
    this.follow = null;
    this.retried = false;
    this.send();
  }

  /**
   * Sends a request with a string body and, in the same write, a body-less request (`followHead`) behind it
   * (HTTP/1.1 pipelining): `callback` gets the first response, then `followCallback` the second. Answers come in
   * order on one connection; if the server closes after the first answer, the second request is sent again on a
   * new connection, since a server that closes has not processed it. `callback` must not start a request.
   * @param {string} head
   * @param {string | SplicedJson} body
   * @param {ResponseCallback} callback
   * @param {string} followHead
   * @param {ResponseCallback} followCallback
   */
  requestPipelined(head, body, callback, followHead, followCallback) {
    if (this.busy) throw new Error('tslambda runtime: a request is already in flight');
    this.busy = true;
    this.head = head;
    this.body = body;
    this.callback = callback;
    this.follow = { head: followHead, callback: followCallback };
    this.retried = false;
    this.send();
  }

  /**
   * Starts a request whose body the caller streams with `write()` and finishes with `finish()`.
   * @param {string} head
   * @param {ResponseCallback} callback
   */
  open(head, callback) {
    this.request(head, null, callback);
    this.streaming = true;
  }

  /**
   * Writes `data` as one chunk of a streamed body; `done` (if not null) is called once the socket can take more.
   * With the connection gone the bytes are dropped: its close reports the failure to the request's callback.
   * @param {Buffer} data
   * @param {(() => void) | null} done
   */
  writeChunk(data, done) {
    const socket = this.socket;
    // A zero-length chunk would end the chunked body.
    if (data.length === 0 || socket === null) {
      if (done !== null) done();
      return;
    }
    socket.cork();
    socket.write(data.length.toString(16) + CRLF, 'latin1');
    socket.write(data);
    const roomLeft = socket.write(CRLF, 'latin1');
    socket.uncork();
    if (done === null) return;
    if (roomLeft) done();
    else this.onceDrained(done);
  }

  /**
   * Ends a streamed body: the last (empty) chunk, then `trailers` (header lines, each ending with CRLF, or '').
   * The response is awaited as for any request.
   * @param {string} trailers
   */
  endStream(trailers) {
    this.streaming = false;
    this.ref();
    if (this.socket !== null) this.socket.write(`0${CRLF}${trailers}${CRLF}`, 'latin1');
  }

  /**
   * Calls `fn` once the socket can take more data (or right away when it is gone).
   * @param {() => void} fn
   */
  onceDrained(fn) {
    if (this.socket === null || !this.socket.writableNeedDrain) process.nextTick(fn);
    else this.socket.once('drain', fn);
  }

  /** Opens the connection ahead of the first request. */
  preconnect() {
    if (this.socket === null) this.connect();
  }

  /** Lets the process exit while idle (the handler runs); `ref()` undoes it. */
  unref() {
    this.referenced = false;
    if (this.socket !== null) this.socket.unref();
  }

  ref() {
    this.referenced = true;
    if (this.socket !== null) this.socket.ref();
  }

  send() {
    // Reset first: a new socket asks for its first read buffer as it is created (nextReadBuffer).
    this.parser.reset();
    let socket = this.socket;
    if (socket === null) socket = this.connect();
    else if (!this.referenced) this.ref();
    this.writing = true;
    const body = this.body;
    if (body === null) socket.write(this.head, 'latin1', this.onWritten);
    else if (typeof body === 'string' && body.length <= LARGE_TEXT_CHARS) {
      const head = `${this.head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
      socket.write(this.follow === null ? head + body : head + body + this.follow.head, 'utf8', this.onWritten);
    } else if (Buffer.isBuffer(body)) {
      socket.cork();
      socket.write(`${this.head}Content-Length: ${body.length}\r\n\r\n`, 'latin1');
      socket.write(body, this.onWritten);
      socket.uncork();
    } else socket.write(this.encodeLarge(body), this.onWritten);
  }

  onWritten() {
    this.writing = false;
  }

  /**
   * The head, a large body (UTF-8) and any pipelined head, encoded into one buffer kept across requests: a fresh
   * buffer per result (Buffer.from) costs an allocation and a page fault per 4 KiB touched, which for a 6 MB result
   * is more than the encoding itself. The body goes in first, behind room for the head, so that its byte count is
   * known when the head is written and the text is read once. A connection dropped mid-write gives its buffer up
   * (see drop).
   * @param {string | SplicedJson} body
   */
  encodeLarge(body) {
    const follow = this.follow === null ? '' : this.follow.head;
    const room = this.head.length + CONTENT_LENGTH_ROOM;
    const most = room + (typeof body === 'string' ? body.length * 3 : body.maxBytes()) + follow.length;
    if (this.sendBuffer.length < most) this.sendBuffer = Buffer.allocUnsafeSlow(most);
    const out = /** @type {FastBuffer} */ (this.sendBuffer);
    const bytes = typeof body === 'string' ? out.utf8Write(body, room) : body.writeInto(out, room);
    const head = `${this.head}Content-Length: ${bytes}\r\n\r\n`;
    const start = room - head.length;
    out.latin1Write(head, start);
    const end = room + bytes + (follow === '' ? 0 : out.latin1Write(follow, room + bytes));
    return out.subarray(start, end);
  }

  /** @returns {net.Socket} */
  connect() {
    if (this.firstAttemptAt === 0) this.firstAttemptAt = Date.now();
    this.connectAttempts++;
    this.referenced = true;
    const socket = net.connect({
      host: this.host,
      port: this.port,
      onread: { buffer: this.nextReadBuffer, callback: this.onRead },
    });
    socket.setNoDelay(true);
    this.socket = socket;
    this.reused = false;
    /** @type {NodeJS.ErrnoException | null} */
    let failure = null;
    socket.on('connect', () => {
      this.everConnected = true;
    });
    socket.on('error', (err) => {
      failure = err;
    });
    // With `onread` the stream sees EOF but nothing reads it to its end; end our side ourselves so 'close' follows.
    socket.on('end', () => socket.destroy());
    socket.on('close', () => this.onClosed(socket, failure));
    // Drive the readable to notice EOF: `onread` bypasses the buffer, so resume() keeps nothing.
    socket.resume();
    return socket;
  }

  /**
   * Asked by the socket before each read for where to put it: the rest of a large body in place, else the
   * connection's read buffer.
   * @returns {Buffer}
   */
  nextReadBuffer() {
    return this.parser.readTarget() ?? this.readBuffer;
  }

  /**
   * @param {number} nread
   * @param {Buffer} buffer
   * @returns {boolean} false stops reading
   */
  onRead(nread, buffer) {
    const socket = this.socket;
    if (!this.busy) {
      // Bytes nobody asked for: the server is out of step with us; never guess, start over on a new connection.
      this.drop(socket);
      return false;
    }
    let chunk = nread === buffer.length ? buffer : buffer.subarray(0, nread);
    for (;;) {
      let used;
      try {
        used = this.parser.feed(chunk);
      } catch (err) {
        this.drop(socket);
        this.finish(/** @type {Error} the parser throws ProtocolError only */ (err));
        return false;
      }
      if (used < 0) return true;
      if (this.follow !== null) {
        // The first of two pipelined answers: the second request is already on the wire and becomes the current one.
        if (!this.parser.keepAlive) this.drop(socket);
        else this.reused = true;
        this.promoteFollow(this.follow);
        if (this.socket !== socket) {
          // The server closed after the first answer without reading the second request: send it again.
          if (this.busy) this.send();
          return false;
        }
        if (used === chunk.length) return true;
        chunk = chunk.subarray(used);
        continue;
      }
      // A response that arrives while our request is still being written, or bytes beyond it, leave the
      // connection in an unknown state: close it and reconnect for the next request.
      if (used !== chunk.length || !this.parser.keepAlive || this.writing || this.streaming) this.drop(socket);
      else this.reused = true;
      this.finish(null);
      return true;
    }
  }

  /**
   * Hands the first pipelined answer to its callback, then waits for the second one with a fresh parser.
   * @param {FollowingRequest} follow
   */
  promoteFollow(follow) {
    const callback = /** @type {ResponseCallback} set while a request is in flight */ (this.callback);
    this.follow = null;
    this.head = follow.head;
    this.body = null;
    this.callback = follow.callback;
    this.retried = false;
    callback(null, this.parser);
    this.parser.reset();
  }

  /**
   * @param {net.Socket} socket
   * @param {NodeJS.ErrnoException | null} failure
   */
  onClosed(socket, failure) {
    if (socket !== this.socket) return;
    this.socket = null;
    if (this.writing) this.sendBuffer = EMPTY;
    if (!this.busy) return;
    const parser = this.parser;
    if (!parser.started) {
      // Keep-alive race: the server closed a reused connection as we wrote to it. One retry on a fresh one.
      if (this.reused && !this.retried) {
        this.retried = true;
        this.send();
        return;
      }
      if (!this.everConnected && isRefused(failure) && Date.now() - this.firstAttemptAt < CONNECT_WINDOW_MS) {
        const delay = Math.min(5 * 2 ** this.connectAttempts, 200);
        setTimeout(() => this.send(), delay);
        return;
      }
    }
    /** @type {Error | null} */
    let err = null;
    try {
      parser.end();
    } catch (thrown) {
      const protocolError = /** @type {Error} the parser throws ProtocolError only */ (thrown);
      err = failure ?? protocolError;
      if (failure !== null && parser.started) err = protocolError;
    }
    this.finish(err);
  }

  /**
   * @param {net.Socket | null} socket
   */
  drop(socket) {
    if (socket === null) return;
    if (socket === this.socket) this.socket = null;
    // An unfinished write may still read the send buffer: the next request gets a new one.
    if (this.writing) this.sendBuffer = EMPTY;
    socket.destroy();
  }

  /**
   * @param {Error | null} err
   */
  finish(err) {
    const callback = /** @type {ResponseCallback} set while a request is in flight */ (this.callback);
    this.callback = null;
    this.busy = false;
    this.streaming = false;
    this.body = null;
    this.follow = null;
    callback(err, this.parser);
  }

  /** Closes the connection for good. */
  close() {
    this.drop(this.socket);
  }
}

/**
 * @param {NodeJS.ErrnoException | null} err
 */
function isRefused(err) {
  return err !== null && (err.code === 'ECONNREFUSED' || err.code === 'ENOENT' || err.code === 'EADDRNOTAVAIL');
}

module.exports = { HttpConnection, CONNECT_WINDOW_MS };
