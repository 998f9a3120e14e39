'use strict';
// One persistent HTTP/1.1 connection to the Runtime API: writes hand-built requests, reads each response through
// ResponseParser into one reused read buffer, and reconnects whenever the server closes or the framing is in doubt.

const net = require('net');
const { ResponseParser } = require('./response-parser.cjs');

const READ_BUFFER_BYTES = 64 * 1024;
// At start the API may not be listening yet: retry a refused connection for this long before giving up.
const CONNECT_WINDOW_MS = 2000;

class HttpConnection {
  /** `host`/`port` of the server; requests are whole heads built by the caller (see runtime-api.cjs). */
  constructor(host, port) {
    this.host = host;
    this.port = port;
    this.socket = null;
    this.parser = new ResponseParser();
    this.readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
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
    this.body = null;
    this.callback = null;
    this.onRead = this.onRead.bind(this);
    this.onWritten = this.onWritten.bind(this);
  }

  /**
   * Sends one request and calls `callback(err, parser)` once with the complete response (`parser.status`,
   * `parser.headers`, `parser.body`). The body is a view into the read buffer: use it before returning.
   * `body` is a string (sent as UTF-8; the head's Content-Length must count its bytes) or a Buffer or null.
   */
  request(head, body, callback) {
    if (this.busy) throw new Error('tslambda runtime: a request is already in flight');
    this.busy = true;
    this.head = head;
    this.body = body;
    this.callback = callback;
    this.retried = false;
    this.send();
  }

  /** Starts a request whose body the caller streams with `write()` and finishes with `finish()`. */
  open(head, callback) {
    this.request(head, null, callback);
    this.streaming = true;
  }

  /** Writes the last chunk (and trailers) of a streamed body; the response is awaited as for any request. */
  endStream(lastChunk) {
    this.streaming = false;
    this.ref();
    if (this.socket !== null) this.socket.write(lastChunk, 'latin1');
  }

  /** Writes raw bytes of a streamed request body; returns false when the socket's buffer is full. */
  write(data, done) {
    if (this.socket === null) {
      if (done) process.nextTick(done);
      return true;
    }
    return this.socket.write(data, done);
  }

  /** Calls `fn` once the socket can take more data (or right away when it is gone). */
  onceDrained(fn) {
    if (this.socket === null || !this.socket.writableNeedDrain) process.nextTick(fn);
    else this.socket.once('drain', fn);
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
    if (this.socket === null) this.connect();
    else if (!this.referenced) this.ref();
    this.parser.reset();
    this.writing = true;
    const body = this.body;
    if (body === null) this.socket.write(this.head, 'latin1', this.onWritten);
    else if (typeof body === 'string') this.socket.write(this.head + body, 'utf8', this.onWritten);
    else {
      this.socket.cork();
      this.socket.write(this.head, 'latin1');
      this.socket.write(body, this.onWritten);
      this.socket.uncork();
    }
  }

  onWritten() {
    this.writing = false;
  }

  connect() {
    if (this.firstAttemptAt === 0) this.firstAttemptAt = Date.now();
    this.connectAttempts++;
    this.referenced = true;
    const socket = net.connect({
      host: this.host,
      port: this.port,
      onread: { buffer: this.readBuffer, callback: this.onRead },
    });
    socket.setNoDelay(true);
    this.socket = socket;
    this.reused = false;
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
  }

  onRead(nread, buffer) {
    const socket = this.socket;
    if (!this.busy) {
      // Bytes nobody asked for: the server is out of step with us; never guess, start over on a new connection.
      this.drop(socket);
      return false;
    }
    let used;
    try {
      used = this.parser.feed(nread === buffer.length ? buffer : buffer.subarray(0, nread));
    } catch (err) {
      this.drop(socket);
      this.finish(err);
      return false;
    }
    if (used < 0) return true;
    // A response that arrives while our request is still being written, or bytes beyond it, leave the
    // connection in an unknown state: close it and reconnect for the next request.
    if (used !== nread || !this.parser.keepAlive || this.writing || this.streaming) this.drop(socket);
    else this.reused = true;
    this.finish(null);
    return true;
  }

  onClosed(socket, failure) {
    if (socket !== this.socket) return;
    this.socket = null;
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
    let err = null;
    try {
      parser.end();
    } catch (protocolError) {
      err = failure ?? protocolError;
      if (failure !== null && parser.started) err = protocolError;
    }
    this.finish(err);
  }

  drop(socket) {
    if (socket === null) return;
    if (socket === this.socket) this.socket = null;
    socket.destroy();
  }

  finish(err) {
    const callback = this.callback;
    this.callback = null;
    this.busy = false;
    this.streaming = false;
    this.body = null;
    callback(err, this.parser);
  }

  /** Closes the connection for good. */
  close() {
    this.drop(this.socket);
  }
}

function isRefused(err) {
  return err !== null && (err.code === 'ECONNREFUSED' || err.code === 'ENOENT' || err.code === 'EADDRNOTAVAIL');
}

module.exports = { HttpConnection, CONNECT_WINDOW_MS };
