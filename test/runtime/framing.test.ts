// HTTP/1.1 response framing of the runtime's transport: the parser at every split point, and the real loop against
// a raw TCP server answering with Content-Length, chunked and close-delimited bodies, interim responses, closed
// and dropped connections; a body is never mis-framed.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { forEachNode, type NodeBinary } from './support/node-binaries.js';
import { ACCEPTED, RawRuntimeApi, invocationHead, writeInPieces, type Script } from './support/raw-runtime-api.js';
import { removeTaskRoot, startRuntime, writeTaskRoot, type Exit } from './support/runtime-process.js';

const require = createRequire(import.meta.url);
const { ResponseParser } = require('../../runtime/response-parser.cjs') as {
  ResponseParser: new () => {
    feed(b: Buffer): number;
    end(): boolean;
    status: number;
    body: Buffer;
    keepAlive: boolean;
    headers: Record<string, string>;
    readTarget(): Buffer | null;
  };
};

const EVENT = JSON.stringify({ greeting: 'grüß dich 🌍', list: [1, 2, 3] });
const EVENT_BYTES = Buffer.from(EVENT);

function chunked(body: Buffer, sizes: number[], trailer = ''): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const size of sizes) {
    const piece = body.subarray(at, at + size);
    at += size;
    parts.push(Buffer.from(`${piece.length.toString(16)};ext=1\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0\r\n${trailer}\r\n`));
  return Buffer.concat(parts);
}

/** Feeds `bytes` split at one position and returns what the parser made of it (or the error). */
function parseSplit(
  bytes: Buffer,
  at: number,
  closeAfter = false,
): { status: number; body: string; used: number } | Error {
  const parser = new ResponseParser();
  try {
    let used = parser.feed(Buffer.from(bytes.subarray(0, at)));
    let body = used >= 0 ? Buffer.from(parser.body).toString() : '';
    if (used < 0) {
      used = parser.feed(Buffer.from(bytes.subarray(at)));
      if (used >= 0) used += at;
      body = Buffer.from(parser.body).toString();
    }
    if (used < 0 && closeAfter) {
      parser.end();
      used = bytes.length;
      body = Buffer.from(parser.body).toString();
    }
    return { status: parser.status, body, used };
  } catch (err) {
    return err as Error;
  }
}

describe('response parser', () => {
  const cases: Array<[string, Buffer, boolean]> = [
    [
      'Content-Length',
      Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${EVENT_BYTES.length}\r\n\r\n`), EVENT_BYTES]),
      false,
    ],
    [
      'chunked with extensions and trailers',
      Buffer.concat([
        Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'),
        chunked(EVENT_BYTES, [1, 7, 20, EVENT_BYTES.length - 28], 'X-Trailer: yes\r\n'),
      ]),
      false,
    ],
    [
      'chunked without trailers',
      Buffer.concat([
        Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'),
        chunked(EVENT_BYTES, [EVENT_BYTES.length]),
      ]),
      false,
    ],
    [
      'an interim 100 Continue first',
      Buffer.concat([
        Buffer.from(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: ${EVENT_BYTES.length}\r\n\r\n`),
        EVENT_BYTES,
      ]),
      false,
    ],
    [
      'a close-delimited body',
      Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n'), EVENT_BYTES]),
      true,
    ],
  ];
  for (const [name, bytes, closeDelimited] of cases) {
    it(`frames ${name} identically at every split point`, () => {
      for (let at = 0; at <= bytes.length; at++) {
        expect(parseSplit(bytes, at, closeDelimited), `split at ${at}`).toEqual({
          status: 200,
          body: EVENT,
          used: bytes.length,
        });
      }
    });
  }

  it('stops exactly at the end of a response, leaving following bytes unconsumed', () => {
    const first = Buffer.from('HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}');
    const parser = new ResponseParser();
    expect(parser.feed(Buffer.concat([first, Buffer.from('HTTP/1.1 200 OK\r\n')]))).toBe(first.length);
    expect(parser.body.toString()).toBe('{}');
  });

  it('reads no body for 204 and 304, and keeps the connection per the HTTP version and Connection header', () => {
    const p = new ResponseParser();
    expect(p.feed(Buffer.from('HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n'))).toBeGreaterThan(0);
    expect(p.body.length).toBe(0);
    const http10 = new ResponseParser();
    http10.feed(Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'));
    expect(http10.keepAlive).toBe(false);
    const close = new ResponseParser();
    close.feed(Buffer.from('HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n'));
    expect(close.keepAlive).toBe(false);
  });

  it('refuses framing it cannot know: conflicting or invalid Content-Length, bad chunk sizes, garbage status lines', () => {
    const bad = [
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n',
      'ICY 200 OK\r\n\r\n',
    ];
    for (const text of bad) expect(() => new ResponseParser().feed(Buffer.from(text)), text).toThrow();
  });

  it('lets a large Content-Length body be read straight into place, and only the bytes it still lacks', () => {
    const body = Buffer.from('ß🌍 big body '.repeat(20_000));
    const bytes = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
    const parser = new ResponseParser();
    expect(parser.readTarget()).toBeNull();
    const firstRead = bytes.length - body.length + 1000;
    expect(parser.feed(Buffer.from(bytes.subarray(0, firstRead)))).toBe(-1);
    let at = firstRead;
    while (at < bytes.length) {
      const target = parser.readTarget();
      const missing = bytes.length - at;
      if (target === null) {
        // Below the threshold the rest comes through an ordinary read buffer.
        expect(parser.feed(Buffer.from(bytes.subarray(at)))).toBe(missing);
        break;
      }
      expect(target.length).toBe(missing);
      const n = Math.min(missing, 150_000);
      bytes.copy(target, 0, at, at + n); // what the socket's read does
      const used = parser.feed(target.subarray(0, n));
      at += n;
      expect(used).toBe(at === bytes.length ? n : -1);
    }
    expect(parser.body.equals(body)).toBe(true);
    expect(parser.readTarget()).toBeNull();
  });

  it('treats a connection closed mid-body, mid-chunk or before any byte as an error', () => {
    for (const text of [
      '',
      'HTTP/1.1 200 OK\r\nContent-Le',
      'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab',
    ]) {
      const parser = new ResponseParser();
      parser.feed(Buffer.from(text));
      expect(() => parser.end(), text).toThrow(/connection closed/);
    }
  });
});

const echo = `exports.handler = async (event) => event;`;

async function run(
  node: NodeBinary,
  script: Script,
  untilRequests: number,
): Promise<{ api: RawRuntimeApi; exit: Exit }> {
  const api = await RawRuntimeApi.start(script);
  const root = writeTaskRoot({ 'index.js': echo });
  const runtime = startRuntime({ node: node.path, api: api.address, taskRoot: root, handler: 'index.handler' });
  await Promise.race([api.whenRequests(untilRequests), runtime.exited]);
  const exit = await runtime.stop();
  await api.close();
  removeTaskRoot(root);
  return { api, exit };
}

/** Answers /next `nexts` times with `invocation(socket, n)`, posts with 202, then holds /next open. */
function scripted(invocation: (socket: import('node:net').Socket, n: number) => void, nexts = 1): Script {
  let delivered = 0;
  return (request, socket) => {
    if (request.path.endsWith('/next')) {
      if (delivered < nexts) invocation(socket, ++delivered);
      return;
    }
    socket.write(ACCEPTED);
  };
}

forEachNode(describe, describe.skip, it, (node) => {
  describe('transport framing', () => {
    it('reads a Content-Length body delivered a few bytes at a time', async () => {
      const { api } = await run(
        node,
        scripted(
          (socket) =>
            void writeInPieces(
              socket,
              Buffer.concat([
                Buffer.from(`${invocationHead('r1')}Content-Length: ${EVENT_BYTES.length}\r\n\r\n`),
                EVENT_BYTES,
              ]),
              7,
            ),
        ),
        3,
      );
      expect(api.requests[1].body.equals(EVENT_BYTES)).toBe(true);
      expect(api.connections).toBe(1);
    });

    it('reads large events delivered in uneven pieces byte for byte, one after another on one connection', async () => {
      const events = [
        Buffer.from(JSON.stringify({ n: 1, pad: 'grüß dich 🌍 '.repeat(150_000) })),
        Buffer.from(JSON.stringify({ n: 2, pad: 'ab€'.repeat(40_000) })),
      ];
      const script = scripted((socket, n) => {
        const event = events[n - 1];
        const bytes = Buffer.concat([
          Buffer.from(`${invocationHead(`r${n}`)}Content-Length: ${event.length}\r\n\r\n`),
          event,
        ]);
        socket.write(bytes.subarray(0, 5000));
        void writeInPieces(socket, bytes.subarray(5000), 333_333);
      }, 2);
      const { api } = await run(node, script, 5);
      expect(api.requests[1].path).toBe('/2018-06-01/runtime/invocation/r1/response');
      expect(api.requests[1].body.equals(events[0])).toBe(true);
      expect(api.requests[3].path).toBe('/2018-06-01/runtime/invocation/r2/response');
      expect(api.requests[3].body.equals(events[1])).toBe(true);
      expect(api.connections).toBe(1);
    });

    it('reads a chunked body with trailers, split across reads, and keeps the connection', async () => {
      const bytes = Buffer.concat([
        Buffer.from(`${invocationHead('r1')}Transfer-Encoding: chunked\r\n\r\n`),
        chunked(EVENT_BYTES, [3, 10, EVENT_BYTES.length - 13], 'X-Checksum: abc\r\n'),
      ]);
      const { api } = await run(
        node,
        scripted((socket) => void writeInPieces(socket, bytes, 5)),
        3,
      );
      expect(api.requests[1].path).toBe('/2018-06-01/runtime/invocation/r1/response');
      expect(api.requests[1].body.equals(EVENT_BYTES)).toBe(true);
      expect(api.connections).toBe(1);
    });

    it('reads a close-delimited body to the end of the connection, then reconnects', async () => {
      const script = scripted((socket) => {
        socket.write(`${invocationHead('r1')}Connection: close\r\n\r\n`);
        void writeInPieces(socket, EVENT_BYTES, 9).then(() => socket.end());
      });
      const { api } = await run(node, script, 3);
      expect(api.requests[1].body.equals(EVENT_BYTES)).toBe(true);
      expect(api.requests[1].connection).toBe(2);
    });

    it('closes after an HTTP/1.0 answer and after Connection: close, and reconnects', async () => {
      const script: Script = (request, socket, index) => {
        if (request.path.endsWith('/next') && index === 0) {
          socket.write(
            `${invocationHead('r1').replace('HTTP/1.1', 'HTTP/1.0')}Content-Length: ${EVENT_BYTES.length}\r\n\r\n`,
          );
          socket.write(EVENT_BYTES);
        } else if (request.path.endsWith('/response')) {
          socket.write(ACCEPTED.replace('Content-Type', 'Connection: close\r\nContent-Type'));
        }
      };
      const { api } = await run(node, script, 4);
      // The /next pipelined behind the /response reaches connection 2, but a server that answered Connection: close
      // does not process it: the runtime asks again on connection 3.
      expect(api.requests.map((r) => `${r.connection} ${r.method}`)).toEqual(['1 GET', '2 POST', '2 GET', '3 GET']);
      expect(api.requests[1].body.equals(EVENT_BYTES)).toBe(true);
    });

    it('skips an interim 100 Continue response', async () => {
      const { api } = await run(
        node,
        scripted((socket) =>
          socket.write(
            `HTTP/1.1 100 Continue\r\n\r\n${invocationHead('r1')}Content-Length: ${EVENT_BYTES.length}\r\n\r\n${EVENT}`,
          ),
        ),
        3,
      );
      expect(api.requests[1].body.equals(EVENT_BYTES)).toBe(true);
    });

    it('reconnects, retrying a request that met a closing keep-alive connection, when the server closes after each answer', async () => {
      let answered = 0;
      const script: Script = (request, socket) => {
        if (socket.writableEnded) return; // the request crossed our FIN: the runtime must retry it elsewhere
        if (request.path.endsWith('/next') && answered < 3) {
          answered++;
          socket.write(`${invocationHead(`r${answered}`)}Content-Length: ${EVENT_BYTES.length}\r\n\r\n${EVENT}`);
        } else if (request.path.endsWith('/response')) {
          socket.write(ACCEPTED);
          socket.end(); // the server closes the connection as soon as it has answered
        }
      };
      const api = await RawRuntimeApi.start(script);
      const root = writeTaskRoot({ 'index.js': echo });
      const runtime = startRuntime({ node: node.path, api: api.address, taskRoot: root, handler: 'index.handler' });
      while (api.requests.filter((r) => r.path.endsWith('/response')).length < 3 && runtime.child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const exit = await runtime.stop();
      await api.close();
      removeTaskRoot(root);
      const responses = api.requests.filter((r) => r.path.endsWith('/response'));
      expect(responses.map((r) => r.path.split('/')[4])).toEqual(['r1', 'r2', 'r3']);
      for (const r of responses) expect(r.body.equals(EVENT_BYTES)).toBe(true);
      expect(new Set(responses.map((r) => r.connection)).size).toBe(3);
      expect(exit.stderr).toBe('');
    });

    it('takes a 413 sent before the whole body was written, and posts the error on a new connection', async () => {
      const big = `exports.handler = async () => 'x'.repeat(4 * 1024 * 1024);`;
      const script = scripted((socket) => socket.write(`${invocationHead('r1')}Content-Length: 2\r\n\r\n{}`));
      const api = await RawRuntimeApi.start(script, (head, socket) => {
        if (!head.path.endsWith('/response')) return false;
        // Refuse on the head alone, as a server enforcing a limit may, and hang up without reading the body.
        const body = '{"errorMessage":"Exceeded maximum allowed payload size","errorType":"RequestEntityTooLarge"}';
        socket.end(
          `HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
        api.requests.push({
          method: head.method,
          path: head.path,
          headers: head.headers,
          body: Buffer.alloc(0),
          connection: 0,
        });
        return true;
      });
      const root = writeTaskRoot({ 'index.js': big });
      const runtime = startRuntime({ node: node.path, api: api.address, taskRoot: root, handler: 'index.handler' });
      await Promise.race([api.whenRequests(4), runtime.exited]);
      const exit = await runtime.stop();
      await api.close();
      removeTaskRoot(root);
      const error = api.requests[2];
      expect(error.path).toBe('/2018-06-01/runtime/invocation/r1/error');
      expect(error.headers['lambda-runtime-function-error-type']).toBe('Function.ResponseSizeTooLarge');
      expect(JSON.parse(error.body.toString()).errorMessage).toContain('4194306 bytes');
      expect(error.connection).toBe(2);
      expect(exit.stderr).toBe('');
    });

    it('writes a small /response and the next GET /next in one write, and reads both answers from one read', async () => {
      const nextHead = (chunk: string) => chunk.slice(chunk.indexOf('GET '));
      const script: Script = (request, socket, index) => {
        if (index === 0) socket.write(`${invocationHead('r1')}Content-Length: ${EVENT_BYTES.length}\r\n\r\n${EVENT}`);
        // The answer to the /response and the pipelined /next go out together, so the runtime reads them at once.
        if (request.path.endsWith('/r1/response'))
          socket.write(`${ACCEPTED}${invocationHead('r2')}Content-Length: ${EVENT_BYTES.length}\r\n\r\n${EVENT}`);
        if (request.path.endsWith('/r2/response')) socket.write(ACCEPTED);
      };
      const { api, exit } = await run(node, script, 5);
      expect(api.requests.map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`)).toEqual([
        'GET invocation/next',
        'POST r1/response',
        'GET invocation/next',
        'POST r2/response',
        'GET invocation/next',
      ]);
      for (const r of [api.requests[1], api.requests[3]]) expect(r.body.equals(EVENT_BYTES)).toBe(true);
      // The exact bytes of one write: the POST with its whole body, directly followed by the GET's head.
      const post = api.reads.find((r) => r.bytes.includes('/r1/response'))!.bytes.toString('utf8');
      expect(post).toBe(
        `POST /2018-06-01/runtime/invocation/r1/response ${nextHead(post).slice(nextHead(post).indexOf('HTTP/1.1'), nextHead(post).indexOf('\r\n\r\n'))}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${EVENT_BYTES.length}\r\n\r\n${EVENT}` +
          `GET /2018-06-01/runtime/invocation/next ${nextHead(post).slice(nextHead(post).indexOf('HTTP/1.1'))}`,
      );
      expect(nextHead(post)).toMatch(
        /^GET \/2018-06-01\/runtime\/invocation\/next HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\nUser-Agent: tslambda-runtime\/1 node\/v[\d.]+\r\n\r\n$/,
      );
      expect(api.connections).toBe(1);
      expect(exit.stderr).toBe('');
    });

    for (const status of [400, 403]) {
      it(`reports a ${status} answer to a pipelined /response and serves the /next already asked for, asking once`, async () => {
        const refusal = '{"errorMessage":"refused","errorType":"InvalidStateTransition"}';
        const script: Script = (request, socket, index) => {
          if (request.path.endsWith('/next') && index <= 2) {
            const id = index === 0 ? 'r1' : 'r2';
            socket.write(`${invocationHead(id)}Content-Length: ${EVENT_BYTES.length}\r\n\r\n${EVENT}`);
          } else if (request.path.endsWith('/r1/response')) {
            socket.write(
              `HTTP/1.1 ${status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${refusal.length}\r\n\r\n${refusal}`,
            );
          } else if (request.path.endsWith('/response')) {
            socket.write(ACCEPTED);
          }
        };
        const { api, exit } = await run(node, script, 5);
        expect(api.requests.map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`)).toEqual([
          'GET invocation/next',
          'POST r1/response',
          'GET invocation/next',
          'POST r2/response',
          'GET invocation/next',
        ]);
        expect(api.requests[3].body.equals(EVENT_BYTES)).toBe(true);
        expect(api.connections).toBe(1);
        expect(exit.stderr).toBe(`tslambda runtime: the Runtime API answered ${status} to /response: ${refusal}\n`);
      });
    }

    it('pipelines a large result too, and reports a 413 to it on /error over a second connection', async () => {
      const big = `exports.handler = async () => 'é'.repeat(40 * 1024);`;
      const script: Script = (request, socket, index) => {
        if (index === 0) socket.write(`${invocationHead('r1')}Content-Length: 2\r\n\r\n{}`);
        else if (request.path.endsWith('/response'))
          socket.write(`HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n`);
        else if (request.path.endsWith('/error')) socket.write(ACCEPTED);
      };
      const api = await RawRuntimeApi.start(script);
      const root = writeTaskRoot({ 'index.js': big });
      const runtime = startRuntime({ node: node.path, api: api.address, taskRoot: root, handler: 'index.handler' });
      await Promise.race([api.whenRequests(4), runtime.exited]);
      await runtime.stop();
      await api.close();
      removeTaskRoot(root);
      expect(api.requests.map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')} ${r.connection}`)).toEqual([
        'GET invocation/next 1',
        'POST r1/response 1',
        'GET invocation/next 1',
        'POST r1/error 2',
      ]);
      expect(api.requests[1].body.equals(Buffer.from(JSON.stringify('é'.repeat(40 * 1024))))).toBe(true);
    });

    it('exits non-zero, posting nothing, when the connection drops in the middle of an event', async () => {
      const script = scripted((socket) => {
        socket.write(`${invocationHead('r1')}Content-Length: ${EVENT_BYTES.length}\r\n\r\n`);
        socket.write(EVENT_BYTES.subarray(0, 10), () => socket.destroy());
      });
      const { api, exit } = await run(node, script, 99);
      expect(exit.code).toBe(1);
      expect(exit.stderr).toMatch(
        /lost the Runtime API connection while waiting for the next invocation: connection closed in the middle of a response/,
      );
      expect(api.requests).toHaveLength(1);
    });

    it('exits non-zero, posting nothing, on a response whose length cannot be known', async () => {
      const script = scripted((socket) =>
        socket.write(`${invocationHead('r1')}Content-Length: 5\r\nContent-Length: 50\r\n\r\n${EVENT}`),
      );
      const { api, exit } = await run(node, script, 99);
      expect(exit.code).toBe(1);
      expect(exit.stderr).toMatch(/conflicting Content-Length/);
      expect(api.requests).toHaveLength(1);
    });
  });
});
