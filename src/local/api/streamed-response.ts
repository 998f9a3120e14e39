// A streamed response (Lambda's "streaming" response mode): the bytes pass through to the caller as they come,
// up to Lambda's streamed limit, and an error may arrive in the trailers after them.

import type { IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';
import { MAX_STREAMED_RESPONSE_BYTES, RuntimeHeader, validErrorType } from './protocol.js';
import { errorBody, errorDocument } from './invocation.js';

export type StreamedAnswer =
  | { kind: 'success'; payload: Buffer }
  | { kind: 'error'; errorType: string; payload: Buffer }
  | { kind: 'tooLarge' }
  /** The connection broke before the end: the runtime may answer again. */
  | { kind: 'aborted' };

/**
 * Reads a streamed response into `sink` (or collects it when there is none). `settled` says when the
 * invocation has already ended (a timeout): bytes after that are dropped.
 */
export function receiveStream(
  req: IncomingMessage,
  sink: Writable | undefined,
  settled: () => boolean,
): Promise<StreamedAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (settled() || tooLarge) return;
      size += chunk.length;
      if (size > MAX_STREAMED_RESPONSE_BYTES) {
        tooLarge = true;
        return;
      }
      if (!sink) chunks.push(chunk);
      else if (!sink.write(chunk)) {
        req.pause();
        sink.once('drain', () => req.resume());
      }
    });
    req.on('error', () => undefined);
    req.on('close', () => {
      if (!req.complete) resolve({ kind: 'aborted' });
    });
    req.on('end', () => resolve(tooLarge ? { kind: 'tooLarge' } : streamEnd(req, Buffer.concat(chunks))));
  });
}

function streamEnd(req: IncomingMessage, payload: Buffer): StreamedAnswer {
  const trailerType = req.trailers[RuntimeHeader.errorType];
  if (trailerType === undefined) return { kind: 'success', payload };
  const errorType = validErrorType(trailerType);
  const encoded = req.trailers[RuntimeHeader.errorBody];
  return {
    kind: 'error',
    errorType,
    payload: encoded ? errorBody(Buffer.from(encoded, 'base64'), errorType) : errorDocument(errorType, ''),
  };
}
