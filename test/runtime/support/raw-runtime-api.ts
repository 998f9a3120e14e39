// A Runtime API server over raw TCP for framing tests: it parses the runtime's requests itself and lets each test
// script the exact response bytes (split, chunked, close-delimited, cut off) written back on the socket.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** 1 for the first TCP connection the runtime opened, 2 for the next, … */
  connection: number;
}

export type Script = (request: RawRequest, socket: net.Socket, index: number) => void;

/** Sees each request head before its body; returning true means it answered, and the rest of the connection is ignored. */
export type EarlyAnswer = (
  head: { method: string; path: string; headers: Record<string, string> },
  socket: net.Socket,
) => boolean;

export class RawRuntimeApi {
  readonly requests: RawRequest[] = [];
  /** Every read from the runtime's connections, as received (one entry per 'data' event). */
  readonly reads: Array<{ connection: number; bytes: Buffer }> = [];
  connections = 0;
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(private readonly server: net.Server) {}

  static async start(script: Script, earlyAnswer?: EarlyAnswer): Promise<RawRuntimeApi> {
    const server = net.createServer();
    const api = new RawRuntimeApi(server);
    server.on('connection', (socket) => api.onConnection(socket, script, earlyAnswer));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once `count` requests have arrived. */
  whenRequests(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.emit('close-all');
    });
  }

  private onConnection(socket: net.Socket, script: Script, earlyAnswer?: EarlyAnswer): void {
    const connection = ++this.connections;
    socket.setNoDelay(true);
    socket.on('error', () => {});
    this.server.once('close-all', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    let ignoring = false;
    socket.on('data', (data: Buffer) => {
      if (ignoring) return;
      this.reads.push({ connection, bytes: Buffer.from(data) });
      buffered = Buffer.concat([buffered, data]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = buffered.toString('latin1', 0, end).split('\r\n');
        const [method, path] = lines[0].split(' ');
        const headers: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        if (earlyAnswer?.({ method, path, headers }, socket)) {
          ignoring = true;
          return;
        }
        const length = Number(headers['content-length'] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const body = buffered.subarray(end + 4, end + 4 + length);
        buffered = buffered.subarray(end + 4 + length);
        const request: RawRequest = { method, path, headers, body: Buffer.from(body), connection };
        const index = this.requests.push(request) - 1;
        for (const w of this.waiters.filter((w) => this.requests.length >= w.count)) w.resolve();
        script(request, socket, index);
      }
    });
  }
}

/** Writes `bytes` in pieces of `size` bytes, a few milliseconds apart, so the runtime reads them separately. */
export async function writeInPieces(socket: net.Socket, bytes: Buffer, size: number): Promise<void> {
  for (let i = 0; i < bytes.length; i += size) {
    if (socket.destroyed) return;
    socket.write(bytes.subarray(i, i + size));
    await new Promise((r) => setTimeout(r, 2));
  }
}

export const ACCEPTED =
  'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{"status":"OK"}\n';

export function invocationHead(requestId: string, extra = ''): string {
  return `HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: ${requestId}\r\nLambda-Runtime-Deadline-Ms: ${Date.now() + 30_000}\r\n${extra}`;
}
