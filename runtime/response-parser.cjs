'use strict';
// @ts-check
// The HTTP/1.1 response framing of the runtime's client: frames each response incrementally (chunked,
// Content-Length or connection close, in the order RFC 9112 section 6.3 prescribes) out of the bytes it is fed.

const HEAD = 0;
const BODY_LENGTH = 1;
const CHUNK_SIZE = 2;
const CHUNK_DATA = 3;
const CHUNK_DATA_END = 4;
const TRAILERS = 5;
const BODY_UNTIL_CLOSE = 6;

const CRLFCRLF = Buffer.from('\r\n\r\n');
const MAX_HEAD_BYTES = 64 * 1024;
// Bodies with at least this much left are read straight into place (see readTarget); below, a read or two of the
// connection's buffer cost less than switching buffers.
const DIRECT_READ_MIN_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);
/** @type {Readonly<Record<string, string>>} */
const NO_HEADERS = Object.freeze({});

class ProtocolError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/**
 * One response at a time: `feed(bytes)` returns the number of bytes it consumed when a response completed (the
 * response is then in `status`, `headers`, `body`, `keepAlive`), or -1 when it needs more bytes. `end()` tells it
 * the peer closed the connection: it returns true if that completed a close-delimited body and throws otherwise.
 * `body` may be a view into the fed bytes: read it before feeding again.
 */
class ResponseParser {
  constructor() {
    /** @type {Buffer} */
    this.scratch = EMPTY; // a body buffer kept across responses (see _appendBody)
    /** @type {number | null} null once the response is complete */
    this.state = HEAD;
    /** @type {Buffer | null} */
    this.held = null; // bytes of an unfinished head, chunk-size line or trailer section
    this.status = 0;
    /** @type {Readonly<Record<string, string>>} field names lower-cased, repeated fields joined with ', ' */
    this.headers = NO_HEADERS;
    this.keepAlive = true;
    this.remaining = 0;
    /** @type {Buffer} */
    this.body = EMPTY;
    /** @type {Buffer[] | null} */
    this.parts = null; // body pieces when the body spans several reads
    this.filled = 0;
    this.sawBytes = false;
  }

  /** Ready for the next response (the constructor documents each field). */
  reset() {
    this.state = HEAD;
    this.held = null;
    this.status = 0;
    this.headers = NO_HEADERS;
    this.keepAlive = true;
    this.remaining = 0;
    this.body = EMPTY;
    this.parts = null;
    this.filled = 0;
    this.sawBytes = false;
  }

  /** True once any byte of the current response has arrived (a retry on a fresh connection is then unsafe). */
  get started() {
    return this.sawBytes;
  }

  /**
   * @param {Buffer} chunk
   * @returns {number}
   */
  feed(chunk) {
    if (chunk.length > 0) this.sawBytes = true;
    let pos = 0;
    const len = chunk.length;
    while (pos < len || this.state === HEAD) {
      switch (this.state) {
        case HEAD: {
          const end = this._headEnd(chunk, pos);
          if (end < 0) return -1;
          pos = end;
          if (this.state === HEAD) continue; // an interim 1xx response was skipped
          if (this.state === null) return this._done(pos);
          break;
        }
        case BODY_LENGTH: {
          const take = Math.min(this.remaining, len - pos);
          this._appendBody(chunk, pos, take);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) return this._done(pos);
          break;
        }
        case CHUNK_SIZE: {
          const lineEnd = this._line(chunk, pos);
          if (lineEnd < 0) return -1;
          pos = lineEnd;
          break;
        }
        case CHUNK_DATA: {
          const take = Math.min(this.remaining, len - pos);
          this._appendBody(chunk, pos, take);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = CHUNK_DATA_END;
          break;
        }
        case CHUNK_DATA_END: {
          // The CRLF after chunk data may itself be split across reads.
          const need = this.remaining === 0 ? 2 : 1;
          const c = chunk[pos];
          if ((need === 2 && c !== 13) || (need === 1 && c !== 10))
            throw new ProtocolError('malformed chunk: data not followed by CRLF');
          pos++;
          if (need === 2) this.remaining = -1;
          else {
            this.remaining = 0;
            this.state = CHUNK_SIZE;
          }
          break;
        }
        case TRAILERS: {
          const end = this._trailersEnd(chunk, pos);
          if (end < 0) return -1;
          return this._done(end);
        }
        case BODY_UNTIL_CLOSE: {
          this._appendBody(chunk, pos, len - pos);
          return -1;
        }
        default:
          throw new ProtocolError('parser used after completion without reset');
      }
    }
    return -1;
  }

  /**
   * The peer closed the connection: completes a close-delimited body, or throws because the response was cut.
   * @returns {boolean}
   */
  end() {
    if (this.state === BODY_UNTIL_CLOSE) {
      this._finishBody();
      this.keepAlive = false;
      this.state = null;
      return true;
    }
    throw new ProtocolError(
      this.sawBytes ? 'connection closed in the middle of a response' : 'connection closed before a response',
    );
  }

  /** @param {number} pos */
  _done(pos) {
    this._finishBody();
    this.state = null;
    return pos;
  }

  // Finds the blank line ending the head (possibly across reads), parses it and picks the body framing.
  /**
   * @param {Buffer} chunk
   * @param {number} pos
   */
  _headEnd(chunk, pos) {
    let buf = chunk;
    let from = pos;
    let base = pos;
    if (this.held !== null) {
      const heldLen = this.held.length;
      buf = Buffer.concat([this.held, chunk.subarray(pos)]);
      from = Math.max(0, heldLen - 3);
      base = 0;
      const idx = buf.indexOf(CRLFCRLF, from);
      if (idx < 0) return this._hold(buf, 0);
      this.held = null;
      this._parseHead(buf.toString('latin1', 0, idx));
      return pos + (idx + 4 - heldLen);
    }
    const idx = buf.indexOf(CRLFCRLF, from);
    if (idx < 0) return this._hold(buf, base);
    this._parseHead(buf.toString('latin1', base, idx));
    return idx + 4;
  }

  /**
   * @param {Buffer} buf
   * @param {number} from
   */
  _hold(buf, from) {
    if (buf.length - from > MAX_HEAD_BYTES) throw new ProtocolError('response head exceeds 64 KiB');
    // Copy: the caller's buffer is reused for the next read.
    this.held = Buffer.from(buf.subarray(from));
    return -1;
  }

  /** @param {string} text */
  _parseHead(text) {
    const lines = text.split('\r\n');
    const statusLine = lines[0];
    // HTTP-version SP 3DIGIT SP reason; the reason phrase may be empty.
    if (statusLine.length < 12 || statusLine.charCodeAt(8) !== 32 || !statusLine.startsWith('HTTP/1.')) {
      throw new ProtocolError(`malformed status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
    }
    const minor = statusLine.charCodeAt(7) - 48;
    const status = Number(statusLine.slice(9, 12));
    if (!(status >= 100 && status <= 999) || (minor !== 0 && minor !== 1)) {
      throw new ProtocolError(`malformed status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
    }
    /** @type {Record<string, string>} */
    const headers = {};
    let last = '';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const first = line.charCodeAt(0);
      if (first === 32 || first === 9) {
        // Obsolete line folding: the line continues the previous field value.
        if (last === '') throw new ProtocolError('malformed header: continuation without a field');
        headers[last] += ' ' + line.trim();
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) throw new ProtocolError(`malformed header line: ${JSON.stringify(line.slice(0, 80))}`);
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      const prev = headers[name];
      headers[name] = prev === undefined ? value : prev + ', ' + value;
      last = name;
    }

    if (status < 200) {
      // Interim response (100 Continue, 103 Early Hints): no body, the real response follows.
      this.state = HEAD;
      return;
    }
    this.status = status;
    this.headers = headers;
    const connection = headers.connection;
    const tokens = connection === undefined ? '' : connection.toLowerCase();
    this.keepAlive = minor === 1 ? !/(^|,)\s*close\s*(,|$)/.test(tokens) : /(^|,)\s*keep-alive\s*(,|$)/.test(tokens);
    this._chooseFraming(status, headers);
  }

  /**
   * @param {number} status
   * @param {Record<string, string>} headers
   */
  _chooseFraming(status, headers) {
    if (status === 204 || status === 304) {
      this.state = null;
      return;
    }
    const te = headers['transfer-encoding'];
    if (te !== undefined) {
      // With Transfer-Encoding, Content-Length is ignored and the connection cannot be trusted afterwards
      // unless chunked is the final coding.
      const codings = te.toLowerCase().split(',');
      if (codings[codings.length - 1].trim() === 'chunked') {
        if (headers['content-length'] !== undefined) this.keepAlive = false;
        this.state = CHUNK_SIZE;
        this.remaining = 0;
        return;
      }
      this.keepAlive = false;
      this.state = BODY_UNTIL_CLOSE;
      return;
    }
    const cl = headers['content-length'];
    if (cl !== undefined) {
      // Repeated identical values ("5, 5") are allowed; differing or non-numeric ones make the framing unknowable.
      const values = cl.split(',');
      const first = values[0].trim();
      for (let i = 1; i < values.length; i++) {
        if (values[i].trim() !== first) throw new ProtocolError(`conflicting Content-Length values: ${cl}`);
      }
      if (!/^\d{1,15}$/.test(first)) throw new ProtocolError(`invalid Content-Length: ${cl}`);
      const n = Number(first);
      if (n === 0) {
        this.state = null;
        return;
      }
      this.remaining = n;
      this.state = BODY_LENGTH;
      return;
    }
    this.keepAlive = false;
    this.state = BODY_UNTIL_CLOSE;
  }

  // Reads a chunk-size line (`hex[;ext]CRLF`); returns the position after it, or -1 when the line is incomplete.
  /**
   * @param {Buffer} chunk
   * @param {number} pos
   */
  _line(chunk, pos) {
    let buf = chunk;
    let start = pos;
    let consumedBase = 0;
    if (this.held !== null) {
      buf = Buffer.concat([this.held, chunk.subarray(pos)]);
      start = 0;
      consumedBase = pos - this.held.length;
    }
    const nl = buf.indexOf(10, start);
    if (nl < 0) {
      if (buf.length - start > 4096) throw new ProtocolError('chunk-size line too long');
      this.held = Buffer.from(buf.subarray(start));
      return -1;
    }
    this.held = null;
    if (nl === start || buf[nl - 1] !== 13) throw new ProtocolError('malformed chunk-size line');
    const line = buf.toString('latin1', start, nl - 1);
    const semi = line.indexOf(';');
    const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
    if (!/^[0-9a-fA-F]{1,12}$/.test(hex))
      throw new ProtocolError(`malformed chunk size: ${JSON.stringify(hex.slice(0, 20))}`);
    const size = parseInt(hex, 16);
    if (size === 0) {
      this.state = TRAILERS;
    } else {
      this.remaining = size;
      this.state = CHUNK_DATA;
    }
    return consumedBase + (nl + 1);
  }

  // Skips the trailer section, which ends with an empty line; returns the position after it or -1.
  /**
   * @param {Buffer} chunk
   * @param {number} pos
   */
  _trailersEnd(chunk, pos) {
    const held = this.held === null ? EMPTY : this.held;
    const buf = held.length === 0 ? chunk : Buffer.concat([held, chunk.subarray(pos)]);
    const start = held.length === 0 ? pos : 0;
    const base = held.length === 0 ? 0 : pos - held.length;
    // No trailers: the last chunk is directly followed by CRLF.
    if (buf.length - start >= 2 && buf[start] === 13 && buf[start + 1] === 10) {
      this.held = null;
      return base + start + 2;
    }
    const idx = buf.indexOf(CRLFCRLF, start);
    if (idx < 0) {
      if (buf.length - start > MAX_HEAD_BYTES) throw new ProtocolError('trailer section exceeds 64 KiB');
      this.held = Buffer.from(buf.subarray(start));
      return -1;
    }
    this.held = null;
    return base + idx + 4;
  }

  /**
   * Where the next read should land: the rest of a large Content-Length body, once started, so the socket reads
   * straight into it (as much as the kernel holds, in one read) instead of 64 KiB reads copied over; null otherwise.
   * Exactly the bytes still missing, so a pipelined response behind it never lands there.
   * @returns {Buffer | null}
   */
  readTarget() {
    if (this.state !== BODY_LENGTH || this.filled === 0 || this.remaining < DIRECT_READ_MIN_BYTES) return null;
    return this.body.subarray(this.filled, this.filled + this.remaining);
  }

  /**
   * @param {Buffer} chunk
   * @param {number} pos
   * @param {number} take
   */
  _appendBody(chunk, pos, take) {
    if (take === 0) return;
    if (this.state === BODY_LENGTH) {
      if (this.filled === 0) {
        if (take === this.remaining) {
          // The whole body is in this read: a view, no copy.
          this.body = chunk.subarray(pos, pos + take);
          this.filled = take;
          return;
        }
        // The declared length, filled in place (one copy) in a buffer kept across responses: large events
        // then cost no allocation and no garbage.
        if (this.scratch.length < this.remaining) this.scratch = Buffer.allocUnsafeSlow(this.remaining);
        this.body = this.scratch.subarray(0, this.remaining);
      }
      // Bytes read straight into place (see readTarget) are already where they belong.
      if (chunk.buffer !== this.body.buffer || chunk.byteOffset + pos !== this.body.byteOffset + this.filled)
        chunk.copy(this.body, this.filled, pos, pos + take);
      this.filled += take;
      return;
    }
    if (this.parts === null) this.parts = [];
    this.parts.push(Buffer.from(chunk.subarray(pos, pos + take))); // copy: the read buffer is reused
    this.filled += take;
  }

  _finishBody() {
    if (this.parts !== null)
      this.body = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.filled);
    this.parts = null;
  }
}

module.exports = { ResponseParser, ProtocolError };
