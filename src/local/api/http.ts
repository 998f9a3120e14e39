// The HTTP plumbing both local servers share (the Runtime API emulator and the Invoke API): one body reader,
// one way to listen, answer JSON and close.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

export type Body = Buffer | 'tooLarge' | 'aborted';

/**
 * Reads a body up to `limit` bytes. A declared or actual size past the limit is 'tooLarge', but the body is
 * still drained so the answer reaches the caller; a connection that breaks first is 'aborted'.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number.isFinite(declared) && declared > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'tooLarge' : Buffer.concat(chunks)));
    req.on('error', () => resolve('aborted'));
    req.on('close', () => {
      if (!req.complete) resolve('aborted');
    });
  });
}

/** Discards a body nobody reads, so the connection stays usable. */
export function drain(req: IncomingMessage): void {
  req.on('error', () => undefined);
  req.resume();
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Malformed requests (bad framing, oversized headers) get an HTTP error; the server carries on. */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
}

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Closes the server and every connection still open (long-polling runtimes, keep-alive callers). */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Writes one chunk of a streamed answer and calls `done` when more may be written (or the client has gone). */
export function writeThrough(res: ServerResponse, chunk: Buffer, done: () => void): void {
  if (res.destroyed || chunk.length === 0) return done();
  if (res.write(chunk)) return done();
  const settle = () => {
    res.off('drain', settle);
    res.off('close', settle);
    done();
  };
  res.on('drain', settle);
  res.on('close', settle);
}

/** Ends a sink and waits until every chunk it took has been handed on (or the client has gone). */
export async function flushed(sink: Writable): Promise<void> {
  sink.end();
  await finished(sink).catch(() => undefined);
}
