// runtime/large-json.cjs against V8's own JSON.parse and JSON.stringify, document by document: the same value (key
// order included), the same bytes, the same error, the same getter and toJSON calls. Documents are generated from a
// seeded generator (so a failure names a reproducible seed) around long strings, where splicing happens.
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { parseEvent, stringifyResult, longLiterals, LONG_STRING } = require('../../runtime/large-json.cjs') as {
  parseEvent(body: Buffer): unknown;
  longLiterals(body: Buffer): number[] | null;
  stringifyResult(value: unknown): string | Spliced | undefined;
  LONG_STRING: number;
};
interface Spliced {
  maxBytes(): number;
  writeInto(out: Buffer, at: number): number;
  byteLength(): number;
}

/** What the runtime posts for a result: its UTF-8 bytes, through the send buffer for spliced JSON. */
function resultBytes(json: string | Spliced | undefined): Buffer | undefined {
  if (json === undefined || typeof json === 'string') return json === undefined ? undefined : Buffer.from(json);
  const out = Buffer.alloc(json.maxBytes() + 16, 0xee);
  const bytes = json.writeInto(out, 8);
  expect(json.byteLength()).toBe(bytes);
  return out.subarray(8, 8 + bytes);
}

function outcome(run: () => unknown): { value?: unknown; error?: string } {
  try {
    return { value: run() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** A small seeded generator (mulberry32): every document below is reproducible from its seed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

// Pieces a long string is made of: ASCII, 2-, 3- and 4-byte UTF-8, and what JSON must escape.
const PLAIN = ['lorem ipsum ', 'x', 'é', 'ß ü ', '日本', '🌍', 'a/b '];
const ESCAPED = ['"', '\\', '\n', '\t', '\u0001', '\u001f', '\u2028'];
const LONE_SURROGATES = ['\ud800', '\udfff', '\udbff x'];

function longString(g: ReturnType<typeof generator>, pieces: readonly string[], length = LONG_STRING) {
  let s = '';
  const target = length + Math.floor(g.next() * length);
  while (s.length < target) s += g.pick(pieces);
  return s;
}

/** A document with long strings as values, keys and array items, nested a few levels, in varied JSON layouts. */
function document(g: ReturnType<typeof generator>, pieces: readonly string[], depth = 0): unknown {
  const kind = g.next();
  if (depth > 2 || kind < 0.25) return longString(g, pieces);
  if (kind < 0.45) return g.pick([1, -0.5, 1e21, true, null, 'short', '']);
  if (kind < 0.7) return Array.from({ length: 1 + Math.floor(g.next() * 4) }, () => document(g, pieces, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(g.next() * 4); i >= 0; i--) {
    const key = g.next() < 0.15 ? longString(g, PLAIN) : g.pick(['a', 'body', '__proto__', 'é', '1', 'k"ey']);
    object[key] = document(g, pieces, depth + 1);
  }
  return object;
}

/** The document's JSON text with whitespace in every place JSON allows it. */
function spaced(g: ReturnType<typeof generator>, value: unknown) {
  return JSON.stringify(value, null, g.pick([0, 1, '\t', ' \r\n']) as number | string);
}

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

describe('parseEvent: the same as JSON.parse of the decoded body', () => {
  const same = (body: Buffer) => {
    const ours = outcome(() => parseEvent(body));
    const theirs = outcome(() => JSON.parse(body.toString('utf8')));
    expect(ours.error).toBe(theirs.error);
    // Key order counts too: compare the values and their JSON.
    expect(isDeepStrictEqual(ours.value, theirs.value)).toBe(true);
    expect(JSON.stringify(ours.value)).toBe(JSON.stringify(theirs.value));
  };

  it.each(SEEDS)('generated document, seed %i', (seed) => {
    const g = generator(seed);
    const pieces = seed % 3 === 0 ? [...PLAIN, ...ESCAPED] : PLAIN;
    same(Buffer.from(spaced(g, document(g, pieces))));
  });

  it('a top-level long string, an object of one, an array of them', () => {
    const g = generator(99);
    const s = longString(g, PLAIN, 100_000);
    for (const value of [s, { body: s }, [s, s, 1], { [s]: 1, other: s }]) same(Buffer.from(JSON.stringify(value)));
  });

  it('what JSON.parse refuses inside or around a long literal fails with its own error', () => {
    const s = 'x'.repeat(100_000);
    const bodies = [
      `{"a":"${s}\u0001"}`, // a raw control character
      `{"a":"${s}\n"}`,
      `{"a":"${s}"`, // unterminated object
      `{"a":"${s}`, // unterminated string
      `{"a":"${s}",}`, // trailing comma
      `{"a" "${s}"}`, // missing colon
      `["${s}" "${s}"]`, // missing comma
      `\ufeff{"a":"${s}"}`, // a byte-order mark
      `{"a":"${s}"} x`, // trailing garbage
      `{"a":1"${s}"}`,
      `"${s}"${'"'.repeat(3)}`,
    ];
    for (const body of bodies) same(Buffer.from(body));
  });

  it('invalid UTF-8 in and around long literals decodes to the same replacement characters', () => {
    const s = Buffer.from('ab'.repeat(40_000));
    const broken = [
      Buffer.from([0xe6, 0x97]),
      Buffer.from([0x80]),
      Buffer.from([0xf0, 0x9f, 0x8c]),
      Buffer.from([0xff]),
    ];
    for (const bad of broken) {
      same(Buffer.concat([Buffer.from('{"a":"'), bad, s, bad, Buffer.from('","b":"'), s, Buffer.from('"}')]));
      same(Buffer.concat([Buffer.from('{"a'), bad, Buffer.from('":"'), s, Buffer.from('"}')]));
    }
  });

  it('a long literal that is a key, or holds escapes, is left to JSON.parse and still comes out the same', () => {
    const s = 'y'.repeat(70_000);
    same(Buffer.from(`{"${s}" \n : "${s}"}`));
    same(Buffer.from(`{"a":"${s}\\"${s}","b":"${s}\\\\"}`));
    same(Buffer.from(`["${s}\\u00e9\\ud83c\\udf0d"]`));
  });

  it('a stand-in-shaped string in the event stays what it was', () => {
    const s = 'z'.repeat(70_000);
    same(Buffer.from(JSON.stringify({ a: s, b: '\u0000tslambda-x:0', c: ['\u0000tslambda-'] })));
  });
});

describe('which literals are spliced', () => {
  /** The [start, end) ranges of `needle` in `text`, in bytes, as longLiterals reports them. */
  const rangesOf = (text: string, ...needles: string[]) =>
    needles.flatMap((needle) => {
      const start = Buffer.byteLength(text.slice(0, text.indexOf(needle)));
      return [start, start + Buffer.byteLength(needle)];
    });

  it('finds the body of an API Gateway event behind escaped quotes and backslashes', () => {
    const body = `é${'b'.repeat(80_000)}`;
    const text = JSON.stringify({
      // An escaped quote, and an escaped backslash right before a closing quote.
      headers: { 'x-quote': 'a "quote', accept: '*/*', 'x-slash': 'C:\\' },
      path: '/p',
      body,
      isBase64Encoded: false,
    });
    expect(longLiterals(Buffer.from(text))).toEqual(rangesOf(text, body));
  });

  it('skips long keys, long literals with escapes, and documents mostly outside long literals', () => {
    const long = 'k'.repeat(70_000);
    const text = JSON.stringify({ [long]: 1, a: `${long}"`, b: `x${long.repeat(5)}` });
    expect(longLiterals(Buffer.from(text))).toEqual(rangesOf(text, `x${long.repeat(5)}`));
    const sparse = JSON.stringify({ body: long, rest: Array.from({ length: 9000 }, (_, i) => ({ i })) });
    expect(longLiterals(Buffer.from(sparse))).toBeNull();
  });

  it('stops searching after a budget of quotes: JSON inside a string has one per value', () => {
    const inner = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ i })));
    const long = 'p'.repeat(500_000);
    const late = JSON.stringify({ body: inner, after: long });
    expect(longLiterals(Buffer.from(late))).toBeNull();
    const early = JSON.stringify({ first: long, body: inner });
    expect(longLiterals(Buffer.from(early))).toEqual(rangesOf(early, long));
  });

  it('gives results with long strings to the send buffer in pieces, and the rest to JSON.stringify', () => {
    const body = 'r'.repeat(LONG_STRING);
    expect(typeof stringifyResult({ statusCode: 200, headers: { a: 'b' }, body })).toBe('object');
    expect(typeof stringifyResult(body)).toBe('object');
    expect(typeof stringifyResult([{ response: { body } }])).toBe('object');
    expect(typeof stringifyResult({ body: body.slice(1) })).toBe('string');
  });
});

describe('stringifyResult: the same bytes as JSON.stringify', () => {
  const same = (value: unknown) => {
    const ours = outcome(() => resultBytes(stringifyResult(value)));
    const theirs = outcome(() => {
      const json = JSON.stringify(value);
      return json === undefined ? undefined : Buffer.from(json);
    });
    expect(ours.error).toBe(theirs.error);
    expect(ours.value === undefined ? undefined : (ours.value as Buffer).toString('latin1')).toBe(
      theirs.value === undefined ? undefined : (theirs.value as Buffer).toString('latin1'),
    );
  };

  it.each(SEEDS)('generated result, seed %i', (seed) => {
    const g = generator(seed);
    const pieces = seed % 2 === 0 ? [...PLAIN, ...ESCAPED, ...LONE_SURROGATES] : PLAIN;
    same(document(g, pieces));
  });

  it('a surrogate pair across every slice boundary is not split', () => {
    for (const offset of [8191, 8192, 8193, 16383, 16384]) {
      const s = `${'a'.repeat(offset)}${'🌍'.repeat(20_000)}`;
      same(s);
      same({ s: `${'b'.repeat(offset - 1)}${'🌍'.repeat(20_000)}` });
      same([`${'a'.repeat(offset)}\ud800${'c'.repeat(40_000)}\udc00`]); // lone surrogates stay escaped
    }
  });

  it('toJSON, getters, boxed strings, Dates, Maps and class instances as JSON.stringify makes them', () => {
    const s = 'q'.repeat(50_000);
    class Payload {
      body = s;
      skipped = undefined;
    }
    same({ toJSON: () => ({ body: s }) });
    same({ nested: { toJSON: (key: string) => `${key}:${s}` } });
    same({
      get body() {
        return s;
      },
    });
    same({ boxed: new String(s), date: new Date(0), map: new Map([[1, s]]), payload: new Payload() });
    same({ fn: () => s, sym: Symbol('s'), undef: undefined, s, arr: [undefined, () => 1, s] });
    same(new Proxy({ body: s }, {}));
    same(Object.assign(Object.create(null), { body: s }));
  });

  it('each getter and toJSON runs exactly once, as with JSON.stringify', () => {
    const s = 'w'.repeat(50_000);
    const calls: string[] = [];
    const value = {
      get body() {
        calls.push('body');
        return s;
      },
      inner: {
        toJSON() {
          calls.push('toJSON');
          return { s };
        },
      },
      list: new Proxy([s], {
        get(target, key, receiver) {
          calls.push(`get ${String(key)}`);
          return Reflect.get(target, key, receiver);
        },
      }),
    };
    resultBytes(stringifyResult(value));
    const ours = calls.splice(0);
    JSON.stringify(value);
    expect(ours).toEqual(calls);
  });

  it('throws what JSON.stringify throws: a cycle, a BigInt, a throwing getter', () => {
    const s = 'e'.repeat(50_000);
    const cycle: Record<string, unknown> = { s };
    cycle.self = cycle;
    same(cycle);
    same({ s, n: 10n });
    same({
      s,
      get boom(): string {
        throw new Error('boom');
      },
    });
  });

  it('results that hold no long string are JSON.stringify itself', () => {
    for (const value of [null, 1, 'short', { a: [1, 'b'] }, Array.from({ length: 5000 }, (_, i) => ({ i }))]) {
      expect(stringifyResult(value)).toBe(JSON.stringify(value));
    }
  });
});
