'use strict';
// @ts-check
// JSON for large events and results without V8's large intermediate strings. Decoding a 6 MB event into one string,
// JSON.parse's copy of the long string inside it, and JSON.stringify's result each take fresh memory from the
// kernel, a page fault per 4 KiB touched (15-40 µs each under a hypervisor): most of what a large invocation costs.
// Here a long string literal of an event is decoded straight into its value from the event's bytes, and a long
// string of a result is escaped in slices straight into the send buffer. Whatever is unusual takes JSON.parse's and
// JSON.stringify's own path, so values, bytes and errors are theirs.

const { isAscii } = require('buffer');
const { isProxy } = require('util').types;

/** @typedef {Buffer & { utf8Write(text: string, offset: number): number }} FastBuffer */
/** @typedef {Buffer & { latin1Slice(start: number, end: number): string, utf8Slice(start: number, end: number): string }} SliceBuffer */

// A string of at least this many bytes (events) or characters (results) is spliced.
const LONG_STRING = 32 * 1024;
// Events smaller than this are parsed in one piece; so are those whose long literals are under 2/3 of their bytes,
// since the rest is parsed with a reviver, which costs a call per value.
const SPLICED_EVENT_MIN_BYTES = 64 * 1024;
// How many quotes of an event are looked at for long literals before it is parsed in one piece: a literal full
// of escaped quotes (JSON inside a string) would otherwise cost a search per quote.
const QUOTE_BUDGET = 1024;
// How many values of a result are looked at for a long string before it is stringified in one piece.
const PROBE_BUDGET = 64;
// Characters escaped per JSON.stringify call: at most 6 bytes each escaped, so a slice's JSON stays below V8's
// large-object size (128 KiB) and lives and dies in the young generation, whose memory is reused.
const SLICE_CHARS = 8 * 1024;

// Stands for a long string while the rest is parsed or stringified: a NUL and a per-process nonce, which no real
// event or result holds.
const NONCE = `\u0000tslambda-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}:`;
// The nonce as it reads inside a JSON literal (its NUL escaped), between the quotes.
const NONCE_JSON = JSON.stringify(NONCE).slice(1, -1);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
// What JSON.parse refuses raw inside a string: U+0000 to U+001F.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f]/;

/**
 * `JSON.parse(body.toString('utf8'))`, value and SyntaxError alike.
 * @param {Buffer} body
 * @returns {unknown}
 */
function parseEvent(body) {
  const literals = body.length < SPLICED_EVENT_MIN_BYTES ? null : longLiterals(body);
  if (literals !== null) {
    const value = parseSpliced(/** @type {SliceBuffer} */ (body), literals);
    if (value !== NOT_SPLICED) return value;
  }
  return JSON.parse(body.toString('utf8'));
}

const NOT_SPLICED = Symbol('not spliced');

/**
 * Where the long string values of an event are, as [start, end) byte ranges of their contents: literals with no
 * escape in them and not object keys. Null when there are none, or too few bytes are in them to be worth it.
 * Quotes appear in JSON only around strings, so from the first one every unescaped quote opens or closes a literal.
 * @param {Buffer} body
 * @returns {number[] | null}
 */
function longLiterals(body) {
  /** @type {number[]} */
  const ranges = [];
  let bytes = 0;
  let quotes = 0;
  let open = body.indexOf(QUOTE);
  while (open !== -1) {
    let close = body.indexOf(QUOTE, open + 1);
    while (close !== -1 && escapedAt(body, close) && ++quotes < QUOTE_BUDGET) close = body.indexOf(QUOTE, close + 1);
    if (close === -1 || (quotes += 2) >= QUOTE_BUDGET) break; // unterminated (JSON.parse says so), or searched enough
    // An escape inside is looked for within the literal alone, not through the rest of the event.
    if (
      close - open - 1 >= LONG_STRING &&
      !isKey(body, close + 1) &&
      !body.subarray(open + 1, close).includes(BACKSLASH)
    ) {
      ranges.push(open + 1, close);
      bytes += close - open - 1;
    }
    open = body.indexOf(QUOTE, close + 1);
  }
  return bytes * 3 >= body.length * 2 ? ranges : null;
}

/**
 * Whether the quote at `at` is escaped: an odd run of backslashes before it.
 * @param {Buffer} body
 * @param {number} at
 */
function escapedAt(body, at) {
  let run = 0;
  while (body[at - 1 - run] === BACKSLASH) run++;
  return run % 2 === 1;
}

/**
 * Whether the literal that ended just before `at` is followed by a colon (JSON whitespace aside).
 * @param {Buffer} body
 * @param {number} at
 */
function isKey(body, at) {
  let i = at;
  while (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09) i++;
  return body[i] === 0x3a;
}

/**
 * The event parsed with each long literal decoded on its own and a stand-in in its place; NOT_SPLICED when a literal
 * holds what JSON.parse refuses (a control character) or the rest does not parse, so that JSON.parse itself answers.
 * Cutting at quotes never splits a UTF-8 sequence, so each piece decodes as it would inside the whole.
 * @param {SliceBuffer} body
 * @param {number[]} ranges
 * @returns {unknown}
 */
function parseSpliced(body, ranges) {
  /** @type {string[]} */
  const values = [];
  let skeleton = '';
  let from = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    const start = ranges[i];
    const end = ranges[i + 1];
    const slice = body.subarray(start, end);
    // Pure ASCII decodes as Latin-1, which Node keeps outside the V8 heap when large (no new heap pages).
    const value = isAscii(slice) ? body.latin1Slice(start, end) : body.utf8Slice(start, end);
    if (CONTROL_CHARACTER.test(value)) return NOT_SPLICED;
    skeleton += `${body.utf8Slice(from, start)}${NONCE_JSON}${values.length}`;
    values.push(value);
    from = end;
  }
  skeleton += body.utf8Slice(from, body.length);
  try {
    return JSON.parse(skeleton, (_key, value) =>
      typeof value === 'string' && value.startsWith(NONCE) ? values[Number(value.slice(NONCE.length))] : value,
    );
  } catch {
    return NOT_SPLICED;
  }
}

/**
 * A result's JSON with its long strings kept apart: `texts[0] + JSON(strings[0]) + texts[1] + ...`. Written into a
 * buffer by writeInto, one slice of a long string at a time.
 */
class SplicedJson {
  /**
   * @param {string[]} texts
   * @param {string[]} strings
   */
  constructor(texts, strings) {
    this.texts = texts;
    this.strings = strings;
  }

  /** The most bytes its UTF-8 can take: 3 per UTF-16 unit, 6 per character escaped (`\u001f`). */
  maxBytes() {
    let bytes = 0;
    for (const text of this.texts) bytes += text.length * 3;
    for (const string of this.strings) bytes += string.length * 6 + 2;
    return bytes;
  }

  /**
   * Writes the JSON as UTF-8 at `at` (the buffer has maxBytes() of room there) and returns the bytes written.
   * @param {FastBuffer} out
   * @param {number} at
   */
  writeInto(out, at) {
    const start = at;
    const { texts, strings } = this;
    for (let i = 0; i < strings.length; i++) {
      at += out.utf8Write(texts[i], at);
      at = writeQuoted(out, strings[i], at);
    }
    at += out.utf8Write(texts[strings.length], at);
    return at - start;
  }

  /** Its length in UTF-8 bytes, for the message of a result refused as too large (a rare path: it escapes again). */
  byteLength() {
    let bytes = 0;
    for (const text of this.texts) bytes += Buffer.byteLength(text);
    for (const string of this.strings) bytes += Buffer.byteLength(JSON.stringify(string));
    return bytes;
  }
}

/**
 * `JSON.stringify(s)` as UTF-8 at `at`, a slice at a time: JSON.stringify of each slice is exactly the escaping of
 * its characters, as long as no slice splits a surrogate pair. Returns where the JSON ends.
 * @param {FastBuffer} out
 * @param {string} s
 * @param {number} at
 */
function writeQuoted(out, s, at) {
  let from = sliceEnd(s, 0);
  let end = at + out.utf8Write(JSON.stringify(s.slice(0, from)), at);
  while (from < s.length) {
    const to = sliceEnd(s, from);
    // Its JSON without the opening quote, over the closing quote before it (slice(1) is a view, not a copy).
    end += out.utf8Write(JSON.stringify(s.slice(from, to)).slice(1), end - 1) - 1;
    from = to;
  }
  return end;
}

/**
 * @param {string} s
 * @param {number} from
 */
function sliceEnd(s, from) {
  const to = from + SLICE_CHARS;
  if (to >= s.length) return s.length;
  const last = s.charCodeAt(to - 1);
  const next = s.charCodeAt(to);
  return last >= 0xd800 && last <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? to - 1 : to;
}

/**
 * `JSON.stringify(value)`, or the same JSON as a SplicedJson when it holds long strings. Throws what JSON.stringify
 * throws, and calls each toJSON and getter once, as it does: long strings are found by a replacer that sees each
 * value after its toJSON, and swaps a long string for a stand-in.
 * @param {unknown} value
 * @returns {string | SplicedJson | undefined}
 */
function stringifyResult(value) {
  if (typeof value === 'string') {
    return value.length >= LONG_STRING ? new SplicedJson(['', ''], [value]) : JSON.stringify(value);
  }
  if (value === null || typeof value !== 'object' || !holdsLongString(value)) return JSON.stringify(value);
  /** @type {string[]} */
  const strings = [];
  const skeleton = JSON.stringify(value, (_key, v) => {
    if (typeof v !== 'string' || v.length < LONG_STRING) return v;
    strings.push(v);
    return NONCE;
  });
  if (skeleton === undefined || strings.length === 0) return skeleton;
  const texts = skeleton.split(`"${NONCE_JSON}"`);
  return new SplicedJson(texts, strings);
}

/**
 * Whether a long string is among the first PROBE_BUDGET values of a result, looking only at own data properties of
 * plain objects and arrays: no getter, toJSON or proxy trap runs, so JSON.stringify alone calls them.
 * @param {object} root
 */
function holdsLongString(root) {
  /** @type {object[]} */
  const pending = [root];
  let looked = 0;
  for (let i = 0; i < pending.length && looked < PROBE_BUDGET; i++) {
    const holder = pending[i];
    if (isProxy(holder)) continue;
    const isArray = Array.isArray(holder);
    const proto = Object.getPrototypeOf(holder);
    if (!isArray && proto !== Object.prototype && proto !== null) continue;
    const keys = isArray ? null : Object.keys(holder);
    const count = keys === null ? /** @type {unknown[]} */ (holder).length : keys.length;
    for (let k = 0; k < count && looked < PROBE_BUDGET; k++, looked++) {
      const property = Object.getOwnPropertyDescriptor(holder, keys === null ? k : keys[k]);
      if (property === undefined || !('value' in property)) continue;
      const v = property.value;
      if (typeof v === 'string' && v.length >= LONG_STRING) return true;
      if (v !== null && typeof v === 'object') pending.push(v);
    }
  }
  return false;
}

module.exports = { parseEvent, stringifyResult, SplicedJson, LONG_STRING, longLiterals };
