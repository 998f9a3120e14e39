// The runtime loop (runtime/bootstrap.cjs) against a Runtime API that misbehaves, served raw over TCP: each case
// ends within a bound, either serving the invocation or exiting non-zero with one "tslambda runtime:" line.
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject } from '../support/temp-project.js';

const BOOTSTRAP = fileURLToPath(new URL('../../runtime/bootstrap.cjs', import.meta.url));
const ID = '8f4c6f3e-1b9a-4c55-9a61-2f1e0c7b5d10';
const headers = (extra = '') =>
  `Lambda-Runtime-Aws-Request-Id: ${ID}\r\nLambda-Runtime-Deadline-Ms: ${Date.now() + 60_000}\r\nLambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:000000000000:function:f\r\n${extra}`;
const ok = (body: string, extra = '') =>
  `HTTP/1.1 200 OK\r\n${headers(extra)}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

interface Served {
  exitCode: number | null;
  stderr: string;
  /** Request lines the runtime sent, e.g. "POST /2018-06-01/runtime/invocation/<id>/response". */
  requests: string[];
  bodies: string[];
}

const open = new Set<Socket>();
afterEach(() => {
  for (const socket of open) socket.destroy();
});

/** Serves /next with `answerNext` (the first time only) and `answerPost` for posts; ends the runtime after `boundMs`. */
async function serve(
  answerNext: (socket: Socket) => void,
  answerPost: (socket: Socket) => void = (s) => s.write('HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}'),
): Promise<Served> {
  const task = await makeProject({ 'index.js': 'exports.handler = async (event) => ({ got: event });' });
  const requests: string[] = [];
  const bodies: string[] = [];
  let nexts = 0;
  const server = createServer((socket) => {
    open.add(socket);
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buffered.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        requests.push(head.split('\r\n')[0]!.replace(/ HTTP\/1\.1$/, ''));
        bodies.push(buffered.slice(end + 4, end + 4 + length));
        buffered = buffered.slice(end + 4 + length);
        if (head.startsWith('GET')) {
          if (nexts++ === 0) answerNext(socket);
        } else answerPost(socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const child = spawn(process.execPath, [BOOTSTRAP, 'index.handler'], {
    cwd: task,
    env: {
      PATH: process.env.PATH,
      LAMBDA_TASK_ROOT: task,
      _HANDLER: 'index.handler',
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.resume();
  // A served invocation leaves the runtime waiting on its next /next: that is success, and we stop it.
  const bound = setTimeout(() => child.kill('SIGKILL'), 2_000);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  clearTimeout(bound);
  server.close();
  return { exitCode, stderr, requests, bodies };
}

const responsePath = `POST /2018-06-01/runtime/invocation/${ID}/response`;
const errorPath = `POST /2018-06-01/runtime/invocation/${ID}/error`;

describe('the runtime loop against a misbehaving Runtime API', () => {
  it('/next answers 500: exits 1 naming the status', async () => {
    const run = await serve((s) => s.end('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nboom'));
    expect(run.exitCode).toBe(1);
    expect(run.stderr.split('\n')[0]).toBe('tslambda runtime: the Runtime API answered 500 to /next: boom');
  });

  it('/next answers garbage: exits 1 with one line', async () => {
    const run = await serve((s) => s.end('this is not HTTP at all\r\n\r\n'));
    expect(run.exitCode).toBe(1);
    expect(run.stderr.split('\n')[0]).toMatch(/^tslambda runtime: /);
  });

  it('/next sends half its body and closes: exits 1 with one line', async () => {
    const run = await serve((s) => s.end(ok('{"half":').replace(/Content-Length: \d+/, 'Content-Length: 100')));
    expect(run.exitCode).toBe(1);
    expect(run.stderr.split('\n')[0]).toMatch(/^tslambda runtime: lost the Runtime API connection/);
  });

  it('/next trickles its body a few bytes at a time: the invocation is served', async () => {
    const run = await serve((s) => {
      const whole = ok('{"slow":"body, byte by byte"}');
      let at = 0;
      const timer = setInterval(() => {
        if (s.destroyed || at >= whole.length) return clearInterval(timer);
        s.write(whole.slice(at, (at += 7)));
      }, 5);
    });
    expect(run.requests).toContain(responsePath);
    expect(JSON.parse(run.bodies[run.requests.indexOf(responsePath)]!)).toEqual({
      got: { slow: 'body, byte by byte' },
    });
  });

  it('/next with 60 KB of headers: the invocation is served', async () => {
    const run = await serve((s) => s.write(ok('{"big":"headers"}', `X-Padding: ${'p'.repeat(60 * 1024)}\r\n`)));
    expect(run.requests).toContain(responsePath);
  });

  it('/next without a request id: exits 1 naming the header', async () => {
    const run = await serve((s) => s.end(ok('{}').replace(/Lambda-Runtime-Aws-Request-Id: [^\r]+\r\n/, '')));
    expect(run.exitCode).toBe(1);
    expect(run.stderr.split('\n')[0]).toBe(
      'tslambda runtime: the Runtime API sent an invocation without a Lambda-Runtime-Aws-Request-Id header',
    );
  });

  // Issue 10 item 10: a 413 to a small pipelined /response used to be logged without the invocation being failed.
  it('/response answered 413: the invocation is reported as failed with /error', async () => {
    let posts = 0;
    const run = await serve(
      (s) => s.write(ok('{"small":true}')),
      (s) =>
        s.write(
          posts++ === 0
            ? 'HTTP/1.1 413 Payload Too Large\r\nContent-Length: 9\r\n\r\ntoo large'
            : 'HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}',
        ),
    );
    expect(run.requests[1]).toBe(responsePath);
    expect(run.requests).toContain(errorPath);
  });
});
