// A TCP proxy that injects faults between tslambda (or the Docker engine) and a server: it can refuse, reset,
// stall or slow down connections, or answer HTTP 5xx, on the Nth request or from the Nth on.
import { createServer, connect, type Server, type Socket } from 'node:net';

export type FaultKind = 'refuse' | 'reset' | 'stall' | 'slow' | 'status';

export interface Fault {
  kind: FaultKind;
  /** The first request (1-based) the fault hits. */
  from: number;
  /** Hit only that one request; otherwise every request from `from` on. */
  once?: boolean;
  /** For 'status': the status code (default 500). */
  status?: number;
  /** For 'slow': bytes per 100 ms (default 1024). */
  bytesPer100Ms?: number;
}

export interface FaultProxy {
  /** 127.0.0.1:<port> */
  host: string;
  port: number;
  /** Requests seen so far: HTTP request heads in 'status' mode, connections otherwise. */
  readonly requests: number;
  /** How many requests the fault hit. */
  readonly faulted: number;
  /** Cuts every open connection at once, as an engine or registry that dies does; new ones are still relayed. */
  cut(): void;
  close(): Promise<void>;
}

const REQUEST_LINE = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) \S+ HTTP\/1\.[01]\r\n/;

/**
 * Connection faults count connections (what a client sees when a registry or load balancer fails); 'status'
 * counts HTTP requests, reading each request head on the client side of every connection.
 */
export async function startFaultProxy(
  target: { host: string; port: number } | { path: string },
  fault: Fault,
): Promise<FaultProxy> {
  let requests = 0;
  let faulted = 0;
  const sockets = new Set<Socket>();
  const hits = (n: number) => (fault.once ? n === fault.from : n >= fault.from);
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (fault.kind === 'status') return relayHttp(client);
    const n = ++requests;
    if (!hits(n)) return relay(client, 0);
    faulted++;
    if (fault.kind === 'reset') return client.resetAndDestroy();
    if (fault.kind === 'stall') return; // accepted, never answered
    if (fault.kind === 'slow') return relay(client, fault.bytesPer100Ms ?? 1024);
    // 'refuse': stop listening, so this and every later connection is refused by the kernel.
    client.resetAndDestroy();
    server.close();
  });

  function upstream(client: Socket): Socket {
    const socket = 'path' in target ? connect(target.path) : connect(target.port, target.host);
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      client.destroy();
    });
    socket.on('error', () => client.destroy());
    client.on('close', () => socket.destroy());
    return socket;
  }

  function relay(client: Socket, bytesPer100Ms: number): void {
    const socket = upstream(client);
    client.pipe(socket);
    if (bytesPer100Ms === 0) return void socket.pipe(client);
    socket.on('data', (chunk: Buffer) => {
      socket.pause();
      const parts: Buffer[] = [];
      for (let at = 0; at < chunk.length; at += bytesPer100Ms) parts.push(chunk.subarray(at, at + bytesPer100Ms));
      const timer = setInterval(() => {
        const part = parts.shift();
        if (part) client.write(part);
        if (parts.length === 0) {
          clearInterval(timer);
          socket.resume();
        }
      }, 100);
      client.once('close', () => clearInterval(timer));
    });
  }

  /** Relays requests one head at a time; a request the fault hits gets the status and the connection closes. */
  function relayHttp(client: Socket): void {
    const socket = upstream(client);
    socket.pipe(client);
    client.on('data', (chunk: Buffer) => {
      // A request head starts a chunk when the client writes it (bodies of uploads follow in later chunks).
      if (REQUEST_LINE.test(chunk.toString('latin1', 0, Math.min(chunk.length, 4096)))) {
        const n = ++requests;
        if (hits(n)) {
          faulted++;
          socket.unpipe(client);
          socket.destroy();
          const status = fault.status ?? 500;
          const body = `{"errors":[{"code":"UNKNOWN","message":"injected fault ${status}"}]}`;
          client.end(
            `HTTP/1.1 ${status} Injected\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
          );
          return;
        }
      }
      if (!socket.destroyed) socket.write(chunk);
    });
    client.on('end', () => socket.end());
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    port,
    get requests() {
      return requests;
    },
    get faulted() {
      return faulted;
    },
    cut: () => {
      // A reset where the socket is TCP (the client side); a unix socket (the engine side) can only be closed.
      for (const socket of sockets) socket.remoteFamily ? socket.resetAndDestroy() : socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}
