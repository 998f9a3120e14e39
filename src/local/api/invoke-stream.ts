// InvokeWithResponseStream (2021-11-15) for `--serve`: the runtime's streamed bytes are forwarded as PayloadChunk
// events the moment they arrive, and the invocation's end (error, log tail) as one InvokeComplete event.

import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { EnvironmentInvokeOptions, EnvironmentResult, Invoker } from '../execution/invoker.js';
import { eventMessage } from './event-stream.js';
import { flushed, writeThrough } from './http.js';
import { InvokeHeader, LATEST_VERSION } from './protocol.js';

export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';
/** tslambda's own: the content type the function declared for its stream. */
export const FUNCTION_CONTENT_TYPE_HEADER = 'x-tslambda-function-content-type';
/** What Lambda says a function returned when it did not stream (its whole answer is one JSON payload). */
const BUFFERED_CONTENT_TYPE = 'application/json';

/** Answers one streaming invocation on `res`; headers go out with the first chunk or at the end. */
export async function answerStreamingInvoke(
  res: ServerResponse,
  invoke: Invoker['invoke'],
  payload: Buffer,
  options: EnvironmentInvokeOptions & { tail: boolean },
): Promise<void> {
  let functionContentType = BUFFERED_CONTENT_TYPE;
  const open = () => {
    if (res.headersSent) return;
    // The body is event-stream framed, and says so (the SDK surfaces this header as ResponseStreamContentType);
    // the function's own content type travels in a header of ours.
    res.writeHead(200, {
      'content-type': EVENT_STREAM_CONTENT_TYPE,
      [InvokeHeader.executedVersion]: LATEST_VERSION,
      [FUNCTION_CONTENT_TYPE_HEADER]: functionContentType,
    });
    res.flushHeaders();
  };
  const chunks = new Writable({
    write(chunk: Buffer, _encoding, done) {
      open();
      writeThrough(res, eventMessage('PayloadChunk', chunk, 'application/octet-stream'), () => done());
    },
  });
  const { tail, ...invokeOptions } = options;
  const result: EnvironmentResult = await invoke(payload, {
    ...invokeOptions,
    ...(tail ? { completeLogs: true } : {}),
    streamTo: chunks,
    onStreamStart: (contentType) => {
      functionContentType = contentType;
    },
  });
  // Chunks still queued behind a slow client go out before the end.
  await flushed(chunks);
  open();
  // A function that did not stream answers as Lambda does: its whole payload as one chunk.
  if (!result.streamed && result.outcome === 'success' && result.payload.length > 0)
    res.write(eventMessage('PayloadChunk', result.payload, 'application/octet-stream'));
  res.end(eventMessage('InvokeComplete', Buffer.from(JSON.stringify(completion(result, tail))), 'application/json'));
}

/** InvokeComplete: the error Lambda kept (its type as ErrorCode, its document as ErrorDetails) and the log tail. */
function completion(result: EnvironmentResult, tail: boolean): Record<string, string> {
  const complete: Record<string, string> = {};
  if (result.outcome !== 'success') {
    complete.ErrorCode = result.errorType ?? 'Unhandled';
    complete.ErrorDetails = result.payload.toString('utf8');
  }
  if (tail) complete.LogResult = result.logTail.toString('base64');
  return complete;
}
