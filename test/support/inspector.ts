// A Chrome DevTools Protocol client for tests, as a debugger attaches to Node's inspector: the target list over
// HTTP, a WebSocket (RFC 6455, client side, written here: Node 20 has no WebSocket without a flag), commands and
// events; plus a source map lookup from an original (.ts) line to the generated position, as VS Code does.

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';

export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
}

/** Polls http://host:port/json/list until the inspector answers; returns its WebSocket URL. */
export async function inspectorUrl(host: string, port: number, timeoutMs = 60_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const list = (await (await fetch(`http://${host}:${port}/json/list`)).json()) as Array<{
        webSocketDebuggerUrl: string;
      }>;
      if (list[0]) return list[0].webSocketDebuggerUrl;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`no inspector on ${host}:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A command's result: untyped JSON, read by the test field by field. */
// biome-ignore lint/suspicious/noExplicitAny: the protocol's results are JSON whose shape each test knows
type CdpResult = any;

export class CdpSession extends EventEmitter {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: CdpResult) => void; reject: (error: Error) => void }>();
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  readonly events: CdpEvent[] = [];

  private constructor(private readonly socket: Socket) {
    super();
  }

  static async connect(url: string): Promise<CdpSession> {
    const { hostname, port, pathname } = new URL(url);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const key = randomBytes(16).toString('base64');
    socket.write(
      `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const session = new CdpSession(socket);
    let head = Buffer.alloc(0);
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        if (!head.subarray(0, end).toString().startsWith('HTTP/1.1 101'))
          return reject(new Error(`upgrade refused: ${head.subarray(0, end).toString()}`));
        socket.on('data', (data: Buffer) => session.receive(data));
        if (head.length > end + 4) session.receive(head.subarray(end + 4));
        resolve();
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
    socket.on('error', () => undefined);
    return session;
  }

  /** Sends a command; resolves with its result, rejects with its error. */
  send(method: string, params: object = {}): Promise<CdpResult> {
    const id = this.nextId++;
    this.writeFrame(Buffer.from(JSON.stringify({ id, method, params })));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  /** The first event named `method` (already received or to come) that matches. */
  waitFor(method: string, matches: (event: CdpEvent) => boolean = () => true, timeoutMs = 60_000): Promise<CdpEvent> {
    const seen = this.events.find((event) => event.method === method && matches(event));
    if (seen) {
      this.events.splice(this.events.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs);
      const listener = (event: CdpEvent) => {
        if (event.method !== method || !matches(event)) return;
        this.off('event', listener);
        this.events.splice(this.events.indexOf(event), 1);
        clearTimeout(timer);
        resolve(event);
      };
      this.on('event', listener);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private writeFrame(payload: Buffer): void {
    const mask = randomBytes(4);
    const length = payload.length;
    const header =
      length < 126
        ? Buffer.from([0x81, 0x80 | length])
        : length < 65536
          ? Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff])
          : Buffer.concat([Buffer.from([0x81, 0x80 | 127]), bigLength(length)]);
    const masked = Buffer.from(payload.map((byte, index) => byte ^ mask[index % 4]!));
    this.socket.write(Buffer.concat([header, mask, masked]));
  }

  private receive(data: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const fin = (this.buffer[0]! & 0x80) !== 0;
      const opcode = this.buffer[0]! & 0x0f;
      let length = this.buffer[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      const payload = this.buffer.subarray(offset, offset + length);
      this.buffer = this.buffer.subarray(offset + length);
      if (opcode === 0x8) return void this.socket.end();
      if (opcode === 0x9) continue; // a ping: the inspector does not need the pong for the test's duration
      this.fragments.push(payload);
      if (!fin) continue;
      const message = JSON.parse(Buffer.concat(this.fragments).toString()) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
        method?: string;
        params?: Record<string, unknown>;
      };
      this.fragments = [];
      if (message.id !== undefined) {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) waiter?.reject(new Error(message.error.message));
        else waiter?.resolve(message.result);
      } else if (message.method) {
        const event = { method: message.method, params: message.params ?? {} };
        this.events.push(event);
        this.emit('event', event);
      }
    }
  }
}

function bigLength(length: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64BE(BigInt(length));
  return buffer;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The first generated position (0-based line and column) mapped to `originalLine` (1-based) of the source whose
 * path ends with `sourceSuffix`: the lookup a debugger does to bind a breakpoint set in a .ts file.
 */
export function generatedPosition(
  map: { sources: string[]; mappings: string },
  sourceSuffix: string,
  originalLine: number,
): { line: number; column: number } | undefined {
  const sourceIndex = map.sources.findIndex((source) => source.endsWith(sourceSuffix));
  if (sourceIndex < 0) return undefined;
  const state = [0, 0, 0, 0]; // generated column, source, original line, original column
  let best: { line: number; column: number; originalColumn: number } | undefined;
  map.mappings.split(';').forEach((segments, line) => {
    state[0] = 0;
    for (const segment of segments.split(',')) {
      if (segment === '') continue;
      const values = decodeVlq(segment);
      for (let index = 0; index < values.length && index < 4; index++) state[index] += values[index]!;
      if (values.length < 4 || state[1] !== sourceIndex || state[2] !== originalLine - 1) continue;
      if (!best || state[3]! < best.originalColumn) best = { line, column: state[0]!, originalColumn: state[3]! };
    }
  });
  return best && { line: best.line, column: best.column };
}

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      values.push(value & 1 ? -(value >> 1) : value >> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}
