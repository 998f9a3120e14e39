// Contract tests for the Runtime API emulator, driven with raw HTTP the way a runtime client calls it.

import { afterEach, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import { startEmulator, type Emulator } from '../../../src/local/api/emulator.js';
import { next, send, sendAndHangUp, sendBytes } from './raw-http.js';

const base = '/2018-06-01/runtime';
let emulator: Emulator;

async function start(timeoutMs = 30_000): Promise<Emulator> {
  emulator = await startEmulator({ functionName: 'orders', region: 'eu-west-1', timeoutMs });
  return emulator;
}

const unsettled: Array<Promise<unknown>> = [];
afterEach(async () => {
  await emulator?.close();
  // Invocations a test left open are rejected by close(); that is expected here.
  await Promise.allSettled(unsettled.splice(0));
});

/** One round trip to the server, so that everything sent before it has been processed. */
const roundTrip = () => send(emulator.address, 'GET', '/ping');

describe('GET /next', () => {
  it('waits until an invocation exists, then delivers it with every invocation header', async () => {
    await start(5000);
    const waiting = next(emulator.address);
    await roundTrip();
    expect(waiting.answered()).toBe(false);

    const before = Date.now();
    const result = emulator.invoke('{"id":1}', {
      clientContext: '{"client":{"app":"x"}}',
      cognitoIdentity: '{"cognitoIdentityId":"abc"}',
    });
    const delivered = await waiting.response;

    expect(delivered.status).toBe(200);
    expect(delivered.body.toString()).toBe('{"id":1}');
    const requestId = delivered.headers['lambda-runtime-aws-request-id'] as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const deadline = Number(delivered.headers['lambda-runtime-deadline-ms']);
    expect(deadline).toBeGreaterThanOrEqual(before + 5000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 5000);
    expect(delivered.headers['lambda-runtime-invoked-function-arn']).toBe(
      'arn:aws:lambda:eu-west-1:000000000000:function:orders',
    );
    expect(delivered.headers['lambda-runtime-trace-id']).toMatch(
      /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/,
    );
    expect(delivered.headers['lambda-runtime-client-context']).toBe('{"client":{"app":"x"}}');
    expect(delivered.headers['lambda-runtime-cognito-identity']).toBe('{"cognitoIdentityId":"abc"}');

    await send(emulator.address, 'POST', `${base}/invocation/${requestId}/response`, { body: 'ok' });
    expect((await result).requestId).toBe(requestId);
  });

  it('omits client context and cognito identity when the caller gave none', async () => {
    await start();
    const waiting = next(emulator.address);
    unsettled.push(emulator.invoke('{}'));
    const delivered = await waiting.response;
    expect(delivered.headers).not.toHaveProperty('lambda-runtime-client-context');
    expect(delivered.headers).not.toHaveProperty('lambda-runtime-cognito-identity');
  });

  it('hands out one invocation at a time, in order', async () => {
    await start();
    const first = emulator.invoke('1');
    const second = emulator.invoke('2');
    const a = await next(emulator.address).response;
    expect(a.body.toString()).toBe('1');
    const waiting = next(emulator.address);
    await roundTrip();
    expect(waiting.answered()).toBe(false);
    await send(emulator.address, 'POST', `${base}/invocation/${a.headers['lambda-runtime-aws-request-id']}/response`, {
      body: 'one',
    });
    const b = await waiting.response;
    expect(b.body.toString()).toBe('2');
    await send(emulator.address, 'POST', `${base}/invocation/${b.headers['lambda-runtime-aws-request-id']}/response`, {
      body: 'two',
    });
    expect((await first).payload.toString()).toBe('one');
    expect((await second).payload.toString()).toBe('two');
  });

  it('gives an invocation to the next waiting runtime when a waiting /next was abandoned', async () => {
    await start();
    const abandoned = next(emulator.address);
    abandoned.abort();
    await abandoned.response.catch(() => undefined);
    await roundTrip();
    const live = next(emulator.address);
    await roundTrip();
    const result = emulator.invoke('"hello"');
    const delivered = await live.response;
    expect(delivered.body.toString()).toBe('"hello"');
    await send(
      emulator.address,
      'POST',
      `${base}/invocation/${delivered.headers['lambda-runtime-aws-request-id']}/response`,
      { body: '1' },
    );
    expect((await result).outcome).toBe('success');
  });
});

/** Starts an invocation and waits for the runtime side to receive it. */
async function delivered(payload = '{}', options = {}) {
  const result = emulator.invoke(payload, options);
  unsettled.push(result);
  const response = await next(emulator.address).response;
  return { result, requestId: response.headers['lambda-runtime-aws-request-id'] as string };
}

describe('POST /invocation/{id}/response', () => {
  it('answers 202 and gives the caller exactly the bytes the runtime sent, with its timings', async () => {
    await start();
    const starts: unknown[] = [];
    emulator.on('start', (event) => starts.push(event));
    const first = await delivered();
    const bytes = Buffer.from([0xff, 0x00, 0x7b, 0x0a]);
    const answer = await send(emulator.address, 'POST', `${base}/invocation/${first.requestId}/response`, {
      body: bytes,
    });
    expect(answer.status).toBe(202);
    expect(answer.json()).toEqual({ status: 'OK' });
    const result = await first.result;
    expect(result).toMatchObject({ outcome: 'success', requestId: first.requestId, streamed: false });
    expect(result.payload.equals(bytes)).toBe(true);
    expect(result.durationMs).toBeGreaterThan(0);
    expect(result.initDurationMs).toBeGreaterThan(0);

    const second = await delivered();
    await send(emulator.address, 'POST', `${base}/invocation/${second.requestId}/response`, { body: '2' });
    expect((await second.result).initDurationMs).toBeUndefined();
    expect(starts).toHaveLength(2);
  });

  it('answers 400 to an unknown request id and 403 to one already answered', async () => {
    await start();
    const unknown = await send(emulator.address, 'POST', `${base}/invocation/not-a-request/response`, { body: '1' });
    expect(unknown.status).toBe(400);
    expect(unknown.json().errorType).toBe('InvalidRequestID');

    const { result, requestId } = await delivered();
    expect(
      (await send(emulator.address, 'POST', `${base}/invocation/${requestId}/response`, { body: '1' })).status,
    ).toBe(202);
    await result;
    const again = await send(emulator.address, 'POST', `${base}/invocation/${requestId}/response`, { body: '2' });
    expect(again.status).toBe(403);
    expect(again.json().errorType).toBe('InvalidStateTransition');
    const errorAfter = await send(emulator.address, 'POST', `${base}/invocation/${requestId}/error`, { body: '{}' });
    expect(errorAfter.status).toBe(403);
  });

  it('accepts exactly 6 MiB', async () => {
    await start();
    const { result, requestId } = await delivered();
    const answer = await send(emulator.address, 'POST', `${base}/invocation/${requestId}/response`, {
      body: Buffer.alloc(6 * 1024 * 1024, 0x61),
    });
    expect(answer.status).toBe(202);
    expect((await result).payload.length).toBe(6 * 1024 * 1024);
  });

  it.each([
    ['with a Content-Length', {}],
    ['chunked', { 'transfer-encoding': 'chunked' }],
  ])(
    'answers 413 to a response over 6 MiB (%s) and gives the caller Function.ResponseSizeTooLarge',
    async (_label, headers) => {
      await start();
      const { result, requestId } = await delivered();
      const answer = await send(emulator.address, 'POST', `${base}/invocation/${requestId}/response`, {
        headers,
        body: Buffer.alloc(6 * 1024 * 1024 + 1, 0x61),
      });
      expect(answer.status).toBe(413);
      const settled = await result;
      expect(settled.outcome).toBe('error');
      expect(settled.errorType).toBe('Function.ResponseSizeTooLarge');
      expect(JSON.parse(settled.payload.toString()).errorType).toBe('Function.ResponseSizeTooLarge');
    },
  );
});

describe('POST /invocation/{id}/error', () => {
  it('answers 202 and passes the error document through with its type', async () => {
    await start();
    const { result, requestId } = await delivered();
    const doc = JSON.stringify({
      errorType: 'TypeError',
      errorMessage: 'boom',
      trace: ['TypeError: boom', '    at x'],
    });
    const answer = await send(emulator.address, 'POST', `${base}/invocation/${requestId}/error`, {
      headers: {
        'lambda-runtime-function-error-type': 'Function.TypeError',
        'content-type': 'application/vnd.aws.lambda.error+json',
      },
      body: doc,
    });
    expect(answer.status).toBe(202);
    const settled = await result;
    expect(settled).toMatchObject({ outcome: 'error', errorType: 'Function.TypeError' });
    expect(settled.payload.toString()).toBe(doc);
  });

  it.each([
    ['Runtime.HandlerNotFound', 'Runtime.HandlerNotFound'],
    ['Function.Custom', 'Function.Custom'],
    ['TypeError', 'Runtime.Unknown'],
    ['Runtime.lowercase', 'Runtime.Unknown'],
    ['Function.With1Digit', 'Runtime.Unknown'],
    ['Function.', 'Runtime.Unknown'],
    ['Other.Thing', 'Runtime.Unknown'],
    [undefined, 'Runtime.Unknown'],
  ])('keeps error type %s as %s', async (reported, kept) => {
    await start();
    const { result, requestId } = await delivered();
    const headers: Record<string, string> = reported ? { 'lambda-runtime-function-error-type': reported } : {};
    await send(emulator.address, 'POST', `${base}/invocation/${requestId}/error`, {
      headers,
      body: '{"errorMessage":"x"}',
    });
    expect((await result).errorType).toBe(kept);
  });

  it('builds an error document from the type when the body is not a JSON object', async () => {
    await start();
    const { result, requestId } = await delivered();
    const answer = await send(emulator.address, 'POST', `${base}/invocation/${requestId}/error`, {
      headers: { 'lambda-runtime-function-error-type': 'Runtime.Crash' },
      body: '{not json',
    });
    expect(answer.status).toBe(202);
    expect(JSON.parse((await result).payload.toString())).toEqual({
      errorType: 'Runtime.Crash',
      errorMessage: '{not json',
    });
  });
});

describe('POST /init/error', () => {
  it('answers 202 and serves the init error as the result of the first invocation', async () => {
    await start();
    const doc = '{"errorType":"Runtime.ImportModuleError","errorMessage":"Cannot find module"}';
    const answer = await send(emulator.address, 'POST', `${base}/init/error`, {
      headers: { 'lambda-runtime-function-error-type': 'Runtime.ImportModuleError' },
      body: doc,
    });
    expect(answer.status).toBe(202);
    const result = await emulator.invoke('{}');
    expect(result).toMatchObject({ outcome: 'error', errorType: 'Runtime.ImportModuleError' });
    expect(result.payload.toString()).toBe(doc);
  });

  it('serves the init error to an invocation that was already waiting', async () => {
    await start();
    const pending = emulator.invoke('{}');
    await send(emulator.address, 'POST', `${base}/init/error`, {
      headers: { 'lambda-runtime-function-error-type': 'Bad type' },
      body: '',
    });
    const result = await pending;
    expect(result.errorType).toBe('Runtime.Unknown');
    expect(JSON.parse(result.payload.toString()).errorType).toBe('Runtime.Unknown');
  });

  it('answers 403 once the runtime has asked for work', async () => {
    await start();
    const waiting = next(emulator.address);
    await roundTrip();
    const answer = await send(emulator.address, 'POST', `${base}/init/error`, { body: '{}' });
    expect(answer.status).toBe(403);
    waiting.abort();
  });
});

describe('streaming responses', () => {
  /** Opens a streaming response POST whose body the test writes chunk by chunk. */
  function streamingPost(requestId: string, trailers?: Record<string, string>) {
    const [host, port] = emulator.address.split(':');
    const req = httpRequest({
      host,
      port: Number(port),
      method: 'POST',
      path: `${base}/invocation/${requestId}/response`,
      agent: false,
      headers: {
        'lambda-runtime-function-response-mode': 'streaming',
        'transfer-encoding': 'chunked',
        ...(trailers ? { trailer: Object.keys(trailers).join(', ') } : {}),
      },
    });
    const status = once(req, 'response').then(([res]) => (res as { statusCode: number }).statusCode);
    return {
      req,
      status,
      finish: () => {
        if (trailers) req.addTrailers(trailers);
        req.end();
      },
    };
  }

  it('passes the bytes through to the caller as they arrive', async () => {
    await start();
    const sink = new PassThrough();
    const received: string[] = [];
    sink.on('data', (chunk: Buffer) => received.push(chunk.toString()));
    const { result, requestId } = await delivered('{}', { streamTo: sink });
    const post = streamingPost(requestId);
    post.req.write('first ');
    await new Promise<void>((resolve) => sink.once('data', () => resolve()));
    expect(received).toEqual(['first ']);
    post.req.write('second');
    post.finish();
    expect(await post.status).toBe(202);
    const settled = await result;
    expect(settled).toMatchObject({ outcome: 'success', streamed: true });
    expect(received.join('')).toBe('first second');
    expect(settled.payload.length).toBe(0);
  });

  it('collects a stream into the payload when the caller gave no sink', async () => {
    await start();
    const { result, requestId } = await delivered();
    const post = streamingPost(requestId);
    post.req.write('a');
    post.req.write('b');
    post.finish();
    expect((await result).payload.toString()).toBe('ab');
  });

  it('turns error trailers into a function error', async () => {
    await start();
    const { result, requestId } = await delivered();
    const body = Buffer.from('{"errorType":"Error","errorMessage":"mid-stream"}').toString('base64');
    const post = streamingPost(requestId, {
      'Lambda-Runtime-Function-Error-Type': 'Function.StreamBroke',
      'Lambda-Runtime-Function-Error-Body': body,
    });
    post.req.write('partial');
    post.finish();
    expect(await post.status).toBe(202);
    const settled = await result;
    expect(settled).toMatchObject({ outcome: 'error', errorType: 'Function.StreamBroke', streamed: true });
    expect(JSON.parse(settled.payload.toString()).errorMessage).toBe('mid-stream');
  });
});

describe('timeouts and exits', () => {
  it('answers a runtime that overruns its timeout with Task timed out, and refuses its late answer', async () => {
    await start(150);
    const { result, requestId } = await delivered();
    const settled = await result;
    expect(settled.outcome).toBe('timeout');
    expect(settled.errorType).toBe('Sandbox.Timedout');
    expect(JSON.parse(settled.payload.toString()).errorMessage).toBe(
      `RequestId: ${requestId} Error: Task timed out after 0.15 seconds`,
    );
    const late = await send(emulator.address, 'POST', `${base}/invocation/${requestId}/response`, { body: 'late' });
    expect(late.status).toBe(403);
  });

  it('gives nothing more to a timed-out runtime until a new environment starts', async () => {
    await start(100);
    await (await delivered()).result;
    const stale = next(emulator.address);
    const queued = emulator.invoke('"after"');
    await roundTrip();
    expect(stale.answered()).toBe(false);
    emulator.environmentStarting();
    await stale.response.catch(() => undefined);
    const fresh = await next(emulator.address).response;
    expect(fresh.body.toString()).toBe('"after"');
    await send(
      emulator.address,
      'POST',
      `${base}/invocation/${fresh.headers['lambda-runtime-aws-request-id']}/response`,
      { body: '1' },
    );
    expect((await queued).initDurationMs).toBeGreaterThan(0);
  });

  it('fails the running invocation with Runtime.ExitError when the runtime exits', async () => {
    await start();
    const { result, requestId } = await delivered();
    emulator.environmentExited({ exitCode: 3 });
    const settled = await result;
    expect(settled).toMatchObject({ outcome: 'exited', errorType: 'Runtime.ExitError' });
    expect(JSON.parse(settled.payload.toString()).errorMessage).toBe(
      `RequestId: ${requestId} Error: Runtime exited with error: exit status 3`,
    );
  });

  it('reports Runtime.OutOfMemory when the kernel killed the runtime for memory', async () => {
    await start();
    const { result } = await delivered();
    emulator.environmentExited({ exitCode: 137, signal: 'killed', oomKilled: true });
    const settled = await result;
    expect(settled.errorType).toBe('Runtime.OutOfMemory');
    expect(JSON.parse(settled.payload.toString()).errorMessage).toMatch(/Runtime exited with error: signal: killed$/);
  });
});

describe('malformed requests', () => {
  it('answers wrong methods with 405 and unknown paths with 404', async () => {
    await start();
    expect((await send(emulator.address, 'POST', `${base}/invocation/next`, { body: 'x' })).status).toBe(405);
    expect((await send(emulator.address, 'GET', `${base}/invocation/abc/response`)).status).toBe(405);
    expect((await send(emulator.address, 'PUT', `${base}/init/error`)).status).toBe(405);
    expect((await send(emulator.address, 'GET', '/2018-06-01/runtime/invocation')).status).toBe(404);
    expect((await send(emulator.address, 'GET', '/2015-03-31/functions/x/invocations')).status).toBe(404);
  });

  it('answers garbage and oversized headers with an HTTP error and keeps serving', async () => {
    await start();
    expect(await sendBytes(emulator.address, 'NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    const huge = `GET ${base}/invocation/next HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`;
    expect(await sendBytes(emulator.address, huge)).toMatch(/^HTTP\/1\.1 431/);
    expect(
      await sendBytes(
        emulator.address,
        `POST ${base}/init/error HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n`,
      ),
    ).toMatch(/^HTTP\/1\.1 400/);

    const { result, requestId } = await delivered('"still alive"');
    await send(emulator.address, 'POST', `${base}/invocation/${requestId}/response`, { body: 'yes' });
    expect((await result).payload.toString()).toBe('yes');
  });

  it('lets a runtime retry a response whose upload broke off', async () => {
    await start();
    const { result, requestId } = await delivered();
    // Declares 100 bytes, sends 5, hangs up.
    await sendAndHangUp(
      emulator.address,
      `POST ${base}/invocation/${requestId}/response HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhello`,
    );
    // The server notices the hang-up asynchronously; until then the retry is refused as a second answer.
    let retry = await send(emulator.address, 'POST', `${base}/invocation/${requestId}/response`, { body: 'complete' });
    for (let attempt = 0; retry.status === 403 && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      retry = await send(emulator.address, 'POST', `${base}/invocation/${requestId}/response`, { body: 'complete' });
    }
    expect(retry.status).toBe(202);
    expect((await result).payload.toString()).toBe('complete');
  });
});
