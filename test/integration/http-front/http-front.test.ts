// The --http front in front of tslambda's runtime loop on the host: requests become payload 2.0 / 1.0 events,
// results become responses by AWS's rules (cases.ts, each with its origin), streams pass through as they come,
// failures answer as API Gateway does, and requests beyond --concurrency queue.

import { request as httpRequest, createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpFront, type HttpFront } from '../../../src/local/http-front/server.js';
import { makeProject } from '../../support/temp-project.js';
import { startHostFunction, type HostFunction } from '../../support/host-function.js';
import { RESULT_CASES } from './cases.js';
import { WEB_HANDLER } from './handlers.js';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http, so that a header can be sent twice exactly as given. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string } = {},
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

let root: string;
beforeAll(async () => {
  root = await makeProject({ 'index.cjs': WEB_HANDLER });
});

describe('requests become events', () => {
  let fn: HostFunction;
  let v2: HttpFront;
  let v1: HttpFront;
  beforeAll(async () => {
    fn = await startHostFunction({ taskRoot: root });
    const invoke = fn.pool.invoke.bind(fn.pool);
    v2 = await startHttpFront({ port: 0, format: 'v2', invoke });
    v1 = await startHttpFront({ port: 0, format: 'v1', invoke });
  });
  afterAll(async () => {
    await Promise.all([v1.close(), v2.close()]);
    await fn.stop();
  });

  const echo = async (front: HttpFront, path: string, options: Parameters<typeof send>[1] = {}) => {
    const before = Date.now();
    const answer = await send(`${front.url}${path}`, options);
    expect(answer.status).toBe(200);
    return { event: JSON.parse(answer.body.toString()), answer, before, after: Date.now() };
  };

  it('v2: method, raw path and query, joined headers, cookies apart, request context', async () => {
    const { event, answer, before, after } = await echo(v2, '/echo?a=1&a=2&b=x%20y', {
      headers: { Cookie: 'session=abc; theme=dark', 'X-Multi': ['one', 'two'], 'User-Agent': 'tests/1' },
    });
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/echo',
      rawQueryString: 'a=1&a=2&b=x%20y',
      cookies: ['session=abc', 'theme=dark'],
      queryStringParameters: { a: '1,2', b: 'x y' },
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'GET', path: '/echo', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'tests/1' },
        routeKey: '$default',
        stage: '$default',
      },
    });
    expect(event.headers['x-multi']).toBe('one,two');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers.host).toBe(new URL(v2.url).host);
    expect(event.body).toBeUndefined();
    expect(event.requestContext.timeEpoch).toBeGreaterThanOrEqual(before);
    expect(event.requestContext.timeEpoch).toBeLessThanOrEqual(after);
    expect(event.requestContext.time).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
    expect(event.requestContext.requestId).toBe(answer.headers['apigw-requestid']);
  });

  it('v2: no query leaves queryStringParameters out; a JSON body stays text', async () => {
    const { event } = await echo(v2, '/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"Ada"}',
    });
    expect(event.rawQueryString).toBe('');
    expect('queryStringParameters' in event).toBe(false);
    expect(event.requestContext.http.method).toBe('POST');
    expect(event.body).toBe('{"name":"Ada"}');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('v2: a binary body arrives base64-encoded', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, index) => index));
    const { event } = await echo(v2, '/echo', {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body, 'base64').equals(bytes)).toBe(true);
  });

  it('v1: path, httpMethod, single and multi-value headers and query, proxy path parameter', async () => {
    const { event, answer } = await echo(v1, '/echo?a=1&a=2', { headers: { 'X-Multi': ['one', 'two'] } });
    expect(event).toMatchObject({
      resource: '/{proxy+}',
      path: '/echo',
      httpMethod: 'GET',
      queryStringParameters: { a: '2' },
      multiValueQueryStringParameters: { a: ['1', '2'] },
      pathParameters: { proxy: 'echo' },
      body: null,
      isBase64Encoded: false,
      requestContext: { httpMethod: 'GET', identity: { sourceIp: '127.0.0.1' }, resourcePath: '/{proxy+}' },
    });
    expect(event.headers['X-Multi']).toBe('two');
    expect(event.multiValueHeaders['X-Multi']).toEqual(['one', 'two']);
    expect(event.requestContext.requestId).toBe(answer.headers['x-amzn-requestid']);
  });

  it('v1: no query is null, and a binary body is base64', async () => {
    const { event } = await echo(v1, '/echo', {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: Buffer.from([0, 159, 146, 150]),
    });
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
    expect(event.isBase64Encoded).toBe(true);
    expect(event.body).toBe(Buffer.from([0, 159, 146, 150]).toString('base64'));
  });
});

describe('results become responses', () => {
  let fn: HostFunction;
  const fronts: Partial<Record<'v1' | 'v2', HttpFront>> = {};
  beforeAll(async () => {
    fn = await startHostFunction({ taskRoot: root, timeoutSeconds: 2 });
    const invoke = fn.pool.invoke.bind(fn.pool);
    fronts.v2 = await startHttpFront({ port: 0, format: 'v2', invoke });
    fronts.v1 = await startHttpFront({ port: 0, format: 'v1', invoke });
  });
  afterAll(async () => {
    await Promise.all(Object.values(fronts).map((front) => front.close()));
    await fn.stop();
  });

  it.each(RESULT_CASES.map((testCase, index) => ({ ...testCase, index })))(
    '$format: $name',
    async ({ format, index, status, headers, setCookie, body }) => {
      const answer = await send(`${fronts[format]!.url}/result/${index}`);
      expect(answer.status).toBe(status);
      for (const [name, value] of Object.entries(headers ?? {})) expect(answer.headers[name]).toBe(value);
      if (setCookie) expect(answer.headers['set-cookie']).toEqual(setCookie);
      expect(answer.body.equals(Buffer.from(body))).toBe(true);
    },
  );

  it('a function error answers 502 as API Gateway does, in each format', async () => {
    const v2 = await send(`${fronts.v2!.url}/throw`);
    expect(v2.status).toBe(502);
    expect(JSON.parse(v2.body.toString())).toEqual({ message: 'Internal Server Error' });
    const v1 = await send(`${fronts.v1!.url}/throw`);
    expect(v1.status).toBe(502);
    expect(JSON.parse(v1.body.toString())).toEqual({ message: 'Internal server error' });
  });

  it('a timeout answers 504, and the next request runs in a fresh environment', async () => {
    const timedOut = await send(`${fronts.v2!.url}/sleep`);
    expect(timedOut.status).toBe(504);
    expect(JSON.parse(timedOut.body.toString())).toEqual({ message: 'Endpoint request timed out' });
    const next = await send(`${fronts.v2!.url}/result/0`);
    expect(next.status).toBe(200);
    expect(fn.log()).toMatch(/Task timed out after 2\.00 seconds/);
  });
});

describe('streaming functions and concurrency', () => {
  let fn: HostFunction;
  let front: HttpFront;
  beforeAll(async () => {
    fn = await startHostFunction({ taskRoot: root, handler: 'index.stream' });
    front = await startHttpFront({ port: 0, format: 'v2', invoke: fn.pool.invoke.bind(fn.pool) });
  });
  afterAll(async () => {
    await front.close();
    await fn.stop();
  });

  it('sends the prelude status, headers and cookies, then the body while the function still runs', async () => {
    const order: string[] = [];
    let waiting: ServerResponse | undefined;
    const gate = createServer((_req, res) => {
      order.push('function waits on the gate');
      waiting = res;
    });
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
    const gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/`;
    const fallback = setTimeout(() => {
      order.push('gate opened by the fallback');
      waiting?.end();
    }, 5000);
    try {
      const response = await fetch(`${front.url}/?gate=${encodeURIComponent(gateUrl)}`);
      order.push('headers received');
      expect(response.status).toBe(201);
      expect(response.headers.get('x-streamed')).toBe('yes');
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(response.headers.getSetCookie()).toEqual(['stream=1; Path=/']);
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        if (text === 'part one;') {
          order.push('first part received');
          // Only now may the function go on.
          while (!waiting) await new Promise((resolve) => setTimeout(resolve, 5));
          order.push('gate opened');
          waiting.end();
        }
      }
      expect(text).toBe('part one;part two');
      expect(order.filter((step) => step !== 'function waits on the gate')).toEqual([
        'headers received',
        'first part received',
        'gate opened',
      ]);
    } finally {
      clearTimeout(fallback);
      gate.closeAllConnections();
      gate.close();
    }
  });

  it('delivers every byte of a large stream, in order, to a client that reads late', async () => {
    const response = await fetch(`${front.url}/bulk`);
    // Let the function and the front run into backpressure before the first read.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.length).toBe(5120 * 4096);
    for (let block = 0; block < 5120; block++) {
      const at = block * 4096;
      expect([body[at], body[at + 4095]]).toEqual([block % 256, block % 256]);
    }
  });

  it('cuts the body short when the function fails mid-stream', async () => {
    const response = await fetch(`${front.url}/fails`);
    expect(response.status).toBe(201);
    await expect(response.text()).rejects.toThrow();
  });
});

describe('concurrency', () => {
  it('runs at most --concurrency requests at once and queues the rest', async () => {
    const fn = await startHostFunction({ taskRoot: root, concurrency: 2 });
    const front = await startHttpFront({ port: 0, format: 'v2', invoke: fn.pool.invoke.bind(fn.pool) });
    try {
      const answers = await Promise.all(Array.from({ length: 6 }, () => send(`${front.url}/slow`)));
      const runs = answers.map((answer) => {
        expect(answer.status).toBe(200);
        return JSON.parse(answer.body.toString()) as { pid: number; start: number; end: number };
      });
      expect(new Set(runs.map((run) => run.pid)).size).toBe(2);
      const mostAtOnce = Math.max(
        ...runs.map((run) => runs.filter((other) => other.start <= run.start && run.start < other.end).length),
      );
      expect(mostAtOnce).toBe(2);
    } finally {
      await front.close();
      await fn.stop();
    }
  });
});
