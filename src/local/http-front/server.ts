// `invoke-local --http`: a local HTTP front that turns each request into the event API Gateway or a Function URL
// would send, invokes the function (requests beyond the warm environments queue in the pool), and answers with
// what the gateway would answer: the mapped result, the streamed body, 502 on a function error, 504 on a timeout.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Invoker } from '../execution/invoker.js';
import { answerClientErrors, closeServer, flushed, listen, readBody } from '../api/http.js';
import { MAX_PAYLOAD_BYTES } from '../api/protocol.js';
import { requestEvent, type HttpFormat } from './request-event.js';
import { GatewayAnswer, functionError, resultResponse, type HttpAnswer } from './result-response.js';
import { HTTP_INTEGRATION_CONTENT_TYPE, streamedAnswer } from './streamed-answer.js';

export interface HttpFrontOptions {
  host?: string;
  /** 0 picks a free port. */
  port: number;
  format: HttpFormat;
  invoke: Invoker['invoke'];
}

export interface HttpFront {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const UNAVAILABLE: HttpAnswer = {
  statusCode: 503,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ message: 'Service Unavailable' })),
};

export async function startHttpFront(options: HttpFrontOptions): Promise<HttpFront> {
  const server = createServer({ requestTimeout: 0, keepAliveTimeout: 60_000 }, (req, res) => {
    handle(req, res, options).catch(() => {
      if (!res.headersSent) send(res, UNAVAILABLE, {});
      else res.destroy();
    });
  });
  answerClientErrors(server);
  await listen(server, options.port, options.host ?? '127.0.0.1');
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return { url: `http://${host}:${port}`, port, close: () => closeServer(server) };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: HttpFrontOptions): Promise<void> {
  const receivedAt = Date.now();
  const body = await readBody(req, MAX_PAYLOAD_BYTES);
  if (body === 'aborted') return;
  if (body === 'tooLarge') return send(res, GatewayAnswer.tooLarge, {});
  const requestId = randomUUID();
  const idHeader: Record<string, string> =
    options.format === 'v2' ? { 'apigw-requestid': requestId } : { 'x-amzn-requestid': requestId };
  const event = requestEvent(
    options.format,
    {
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: normaliseIp(req.socket.remoteAddress),
      receivedAt,
    },
    requestId,
  );
  let streamType: string | undefined;
  const sink = streamedAnswer({ res, extraHeaders: idHeader, contentType: () => streamType });
  const result = await options.invoke(Buffer.from(JSON.stringify(event)), {
    streamTo: sink,
    onStreamStart: (contentType) => {
      streamType = contentType;
    },
  });
  // Body bytes still queued behind a slow client go out before the end.
  await flushed(sink);
  if (res.headersSent) {
    // A stream already under way: a failure can only cut it short, which the client sees as a truncated body.
    if (result.outcome === 'success') res.end();
    else res.destroy();
    return;
  }
  if (result.outcome === 'timeout') return send(res, GatewayAnswer.timeout, idHeader);
  if (result.outcome !== 'success') return send(res, functionError(options.format), idHeader);
  if (result.streamed) {
    // The stream ended before its first body byte: empty, or an HTTP prelude that never completed.
    if (streamType === HTTP_INTEGRATION_CONTENT_TYPE) return send(res, functionError(options.format), idHeader);
    const empty = { statusCode: 200, headers: { 'content-type': streamType ?? 'application/octet-stream' } };
    return send(res, { ...empty, body: Buffer.alloc(0) }, idHeader);
  }
  send(res, resultResponse(options.format, result.payload), idHeader);
}

function send(res: ServerResponse, answer: HttpAnswer, extraHeaders: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(answer.statusCode, { ...answer.headers, ...extraHeaders, 'content-length': answer.body.length });
  res.end(answer.body);
}

/** `::ffff:127.0.0.1` → `127.0.0.1`, as a gateway reports an IPv4 caller. */
function normaliseIp(address: string | undefined): string {
  if (!address) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
