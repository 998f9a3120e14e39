// Contract of the http protocol of `program` handlers: the real runtime loop runs a Python http.server against the
// test Runtime API. API Gateway v1/v2 and Function URL events become requests and its responses integration
// responses (binary-safe), other events are POSTed as JSON, readiness gates init, crashes and hangs are handled
// like Lambda, and a streamed response carries the HTTP prelude.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freeFixedPort } from '../support/net.js';
import { deadlineIn, startProgram, type ProgramRuntime } from './support/program-runtime.js';

const SERVER_PY = readFileSync(fileURLToPath(new URL('../fixtures/programs/server.py', import.meta.url)), 'utf8');

function v2(method: string, rawPath: string, extra: Record<string, unknown> = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { host: 'abc.lambda-url.us-east-1.on.aws', 'x-custom': 'yes' },
    requestContext: {
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '1.2.3.4', userAgent: 't' },
      requestId: 'r1',
      stage: '$default',
    },
    isBase64Encoded: false,
    ...extra,
  };
}

function result(outcome: { kind: string; body: Buffer }) {
  expect(outcome.kind).toBe('response');
  return JSON.parse(outcome.body.toString());
}

async function startServer(extra: Record<string, unknown> = {}, env = ''): Promise<ProgramRuntime> {
  const port = await freeFixedPort();
  const command = env === '' ? ['python3', 'server.py'] : ['env', env, 'python3', 'server.py'];
  return startProgram({ command, protocol: 'http', port, healthPath: '/health', ...extra }, { 'server.py': SERVER_PY });
}

describe('http program', () => {
  let p: ProgramRuntime;
  beforeAll(async () => {
    p = await startServer();
  });
  afterAll(() => p.stop());

  it('turns an HTTP API v2 event into its request: method, path, query, headers, cookies, binary body', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
    const event = v2('PUT', '/items/7', {
      rawQueryString: 'a=1&b=%20x',
      cookies: ['s=1', 't=2'],
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
    const res = result(await p.api.invoke(event, { 'Lambda-Runtime-Trace-Id': 'Root=1-abc' }));
    expect(res).toMatchObject({
      statusCode: 200,
      isBase64Encoded: false,
      headers: { 'content-type': 'application/json' },
      cookies: [],
    });
    const seen = JSON.parse(res.body);
    expect(seen).toMatchObject({ method: 'PUT', path: '/items/7?a=1&b=%20x' });
    expect(Buffer.from(seen.body, 'base64').equals(bytes)).toBe(true);
    expect(seen.headers).toMatchObject({
      'x-custom': 'yes',
      cookie: 's=1; t=2',
      'x-amzn-trace-id': 'Root=1-abc',
      'content-length': '7',
    });
    expect(JSON.parse(seen.headers['x-amzn-request-context'])).toMatchObject({ requestId: 'r1' });
    expect(JSON.parse(seen.headers['x-amzn-lambda-context'])).toMatchObject({ functionName: 'fn' });
  });

  it('answers a binary body base64-encoded, byte for byte', async () => {
    const res = result(await p.api.invoke(v2('GET', '/binary')));
    expect(res.isBase64Encoded).toBe(true);
    expect(Buffer.from(res.body, 'base64').equals(Buffer.from(Array.from({ length: 256 }, (_, i) => i)))).toBe(true);
  });

  it('returns set-cookie as v2 cookies and repeated headers joined', async () => {
    const res = result(await p.api.invoke(v2('GET', '/cookies')));
    expect(res).toMatchObject({ statusCode: 201, body: 'héllo', isBase64Encoded: false, cookies: ['a=1', 'b=2'] });
    expect(res.headers['x-multi']).toBe('one, two');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('turns a REST API (v1) event into its request and answers with multiValueHeaders', async () => {
    const event = {
      resource: '/{proxy+}',
      path: '/v1/thing',
      httpMethod: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      multiValueHeaders: { 'Content-Type': ['text/plain'], 'X-Many': ['1', '2'] },
      queryStringParameters: { q: 'a b' },
      multiValueQueryStringParameters: { q: ['a b'], r: ['1', '2'] },
      requestContext: { requestId: 'v1r', stage: 'prod' },
      body: 'plain body',
      isBase64Encoded: false,
    };
    const seen = JSON.parse(result(await p.api.invoke(event)).body);
    expect(seen).toMatchObject({ method: 'POST', path: '/v1/thing?q=a%20b&r=1&r=2', headers: { 'x-many': '1, 2' } });
    expect(Buffer.from(seen.body, 'base64').toString()).toBe('plain body');
    const cookies = result(await p.api.invoke({ ...event, path: '/cookies', httpMethod: 'GET', body: null }));
    expect(cookies.multiValueHeaders['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(cookies.cookies).toBeUndefined();
  });

  it('carries a 4 MB binary body both ways (a 5.6 MB event and result)', async () => {
    const bytes = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 255;
    const event = v2('POST', '/mirror', {
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
    const res = result(await p.api.invoke(event));
    expect(res.isBase64Encoded).toBe(true);
    expect(Buffer.from(res.body, 'base64').equals(bytes)).toBe(true);
  });

  it('POSTs any other event as JSON to program.path and returns the JSON answer; a status >= 400 is an error', async () => {
    expect(result(await p.api.invoke({ detail: { n: 1 } }))).toMatchObject({ got: { detail: { n: 1 } } });
    expect(result(await p.api.invoke(null))).toMatchObject({ got: null });
    expect(result(await p.api.invoke('just text'))).toMatchObject({ got: 'just text' });
    const failed = await p.api.invoke({ op: 'fail' });
    expect(failed.kind).toBe('error');
    expect(JSON.parse(failed.body.toString())).toMatchObject({
      errorType: 'HttpError',
      errorMessage: 'the program answered 500 to POST /events: event refused',
    });
  });

  it('reports a server that dies during a request as Runtime.ExitError with its last output, then starts it again', async () => {
    const before = result(await p.api.invoke(v2('GET', '/pid'))).body;
    const crashed = await p.api.invoke(v2('GET', '/crash'));
    expect(crashed.kind).toBe('error');
    const error = JSON.parse(crashed.body.toString());
    expect(error.errorType).toBe('Runtime.ExitError');
    expect(error.errorMessage).toMatch(/exited with code 3 during the request; its last output:\n[\s\S]*crashing now/);
    const after = result(await p.api.invoke(v2('GET', '/pid'))).body;
    expect(after).not.toBe(before);
  });

  it('times out a request that never ends and starts a fresh server', async () => {
    const before = result(await p.api.invoke(v2('GET', '/pid'))).body;
    const hung = await p.api.invoke(v2('GET', '/hang'), deadlineIn(500));
    expect(JSON.parse(hung.body.toString())).toMatchObject({ errorType: 'Sandbox.Timedout' });
    expect(result(await p.api.invoke(v2('GET', '/pid'))).body).not.toBe(before);
  });
});

describe('http program init and streaming', () => {
  it('reports a server that never gets ready as an init error with its last output', async () => {
    const p = await startServer({ initTimeoutMs: 600, healthPath: '/missing-but-slow' }, 'START_DELAY=30');
    try {
      const received = await p.api.whenInitError();
      const body = JSON.parse(received.body.toString());
      expect(body.errorType).toBe('Runtime.ProgramNotReady');
      expect(body.errorMessage).toMatch(
        /was not ready within 600 ms \(no answer from GET http:\/\/127\.0\.0\.1:\d+\/missing-but-slow\); its last output:\n\(no output\)/,
      );
    } finally {
      await p.stop();
    }
  });

  it('reports a server that exits before it is ready as Runtime.ExitError', async () => {
    const p = await startServer({}, 'PORT=not-a-port');
    try {
      const body = JSON.parse((await p.api.whenInitError()).body.toString());
      expect(body.errorType).toBe('Runtime.ExitError');
      expect(body.errorMessage).toMatch(/exited with code 1 before it was ready[\s\S]*ValueError/);
    } finally {
      await p.stop();
    }
  });

  it('streams the response with its HTTP prelude when program.stream is set', async () => {
    const p = await startServer({ stream: true });
    try {
      const outcome = await p.api.invoke(v2('GET', '/cookies'));
      expect(outcome.headers['lambda-runtime-function-response-mode']).toBe('streaming');
      expect(outcome.headers['content-type']).toBe('application/vnd.awslambda.http-integration-response');
      const split = outcome.body.indexOf(Buffer.alloc(8));
      const prelude = JSON.parse(outcome.body.subarray(0, split).toString());
      expect(prelude).toMatchObject({
        statusCode: 201,
        cookies: ['a=1', 'b=2'],
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
      expect(outcome.body.subarray(split + 8).toString()).toBe('héllo');
    } finally {
      await p.stop();
    }
  });
});
