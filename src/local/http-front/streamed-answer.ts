// A streamed invocation passed through to an HTTP client as a Function URL in RESPONSE_STREAM mode does: an
// http-integration stream opens with a JSON prelude (statusCode, headers, cookies) and eight NUL bytes
// (awslambda.HttpResponseStream.from), then the body flows as the function writes it.

import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { writeThrough } from '../api/http.js';

/** The content type a runtime declares for a stream with an HTTP prelude. */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = Buffer.alloc(8);
/** A prelude is a small JSON document; past this, the stream is not one. */
const MAX_PRELUDE_BYTES = 64 * 1024;

export interface StreamedAnswerOptions {
  res: ServerResponse;
  /** Headers added to every answer (the request id). */
  extraHeaders: Record<string, string>;
  /** The content type the runtime declared, known once the stream opens. */
  contentType: () => string | undefined;
}

/** A sink for the emulator's `streamTo`: it writes the status and headers first, then the body as it comes. */
export function streamedAnswer(options: StreamedAnswerOptions): Writable {
  const { res } = options;
  let pending: Buffer | undefined; // prelude bytes so far, while the delimiter has not come
  // A broken prelude drops the rest (the front answers 502 at the end); the sink itself never fails, so the
  // emulator keeps reading the runtime's stream to its end.
  let broken = false;
  const forward = (chunk: Buffer, done: () => void) => writeThrough(res, chunk, () => done());
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (broken) return done();
      if (res.headersSent) return forward(chunk, done);
      if (options.contentType() !== HTTP_INTEGRATION_CONTENT_TYPE) {
        res.writeHead(200, {
          'content-type': options.contentType() ?? 'application/octet-stream',
          ...options.extraHeaders,
        });
        return forward(chunk, done);
      }
      pending = pending ? Buffer.concat([pending, chunk]) : chunk;
      const end = pending.indexOf(DELIMITER);
      if (end < 0) {
        if (pending.length > MAX_PRELUDE_BYTES) broken = true;
        return done();
      }
      const prelude = parsePrelude(pending.subarray(0, end));
      const rest = pending.subarray(end + DELIMITER.length);
      pending = undefined;
      if (!prelude) {
        broken = true;
        return done();
      }
      res.writeHead(prelude.statusCode, { ...prelude.headers, ...options.extraHeaders });
      // Send the status and headers now, even before the first body byte: a client sees the answer begin.
      res.flushHeaders();
      forward(rest, done);
    },
  });
}

interface Prelude {
  statusCode: number;
  headers: Record<string, string | string[]>;
}

function parsePrelude(bytes: Buffer): Prelude | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8') || '{}');
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { statusCode = 200, headers = {}, cookies = [] } = value as Record<string, unknown>;
  const out: Record<string, string | string[]> = {};
  if (headers !== null && typeof headers === 'object')
    for (const [name, header] of Object.entries(headers)) out[name.toLowerCase()] = String(header);
  if (Array.isArray(cookies) && cookies.length > 0) out['set-cookie'] = cookies.map(String);
  return { statusCode: typeof statusCode === 'number' ? statusCode : Number(statusCode) || 200, headers: out };
}
