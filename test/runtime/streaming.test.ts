// Contract of response streaming (awslambda.streamifyResponse): the chunked POST, its headers, the HTTP prelude,
// backpressure and mid-stream errors in the declared trailers, as they reach the server, on every Node version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachNode } from './support/node-binaries.js';
import { RuntimeApiServer } from './support/runtime-api-server.js';
import { removeTaskRoot, startRuntime, writeTaskRoot, type RuntimeProcess } from './support/runtime-process.js';

const handler = `
const { pipeline } = require('stream/promises');
const { Readable } = require('stream');
exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  switch (event.op) {
    case 'chunks':
      responseStream.setContentType('text/plain; charset=utf-8');
      for (const chunk of event.chunks) responseStream.write(chunk);
      responseStream.end();
      return;
    case 'pipeline':
      await pipeline(Readable.from(['alpha ', 'beta ', 'gamma']), responseStream);
      return;
    case 'http': {
      const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { 'x-kind': 'test' }, cookies: ['a=1'] });
      stream.write('created');
      stream.end();
      return;
    }
    case 'large': {
      const piece = Buffer.alloc(65536, 'z');
      for (let i = 0; i < event.pieces; i++) {
        if (!responseStream.write(piece)) await new Promise((r) => responseStream.once('drain', r));
      }
      responseStream.end();
      return;
    }
    case 'mid-error':
      responseStream.write('partial ');
      await new Promise((r) => setTimeout(r, 5));
      throw new TypeError('broke mid-stream');
    case 'early-error':
      throw new RangeError('before any byte');
    case 'forget-end':
      responseStream.write('never ended');
      return;
  }
});
`;

forEachNode(describe, describe.skip, it, (node) => {
  let api: RuntimeApiServer;
  let runtime: RuntimeProcess;
  let root: string;

  beforeAll(async () => {
    api = await RuntimeApiServer.start();
    root = writeTaskRoot({ 'index.js': handler });
    runtime = startRuntime({ node: node.path, api: api.address, taskRoot: root, handler: 'index.handler' });
  });

  afterAll(async () => {
    await runtime.stop();
    await api.close();
    removeTaskRoot(root);
  });

  it('streams chunks as a chunked POST in streaming mode, declaring the error trailers', async () => {
    const outcome = await api.invoke({ op: 'chunks', chunks: ['héllo ', '', '🌍 ', 'end'] });
    expect(outcome.kind).toBe('response');
    expect(outcome.headers['lambda-runtime-function-response-mode']).toBe('streaming');
    expect(outcome.headers['transfer-encoding']).toBe('chunked');
    expect(outcome.headers['content-length']).toBeUndefined();
    expect(outcome.headers['trailer']).toBe('Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body');
    expect(outcome.headers['content-type']).toBe('text/plain; charset=utf-8');
    // The empty write must not end the chunked body early.
    expect(outcome.body.toString()).toBe('héllo 🌍 end');
    expect(outcome.trailers).toEqual({});
  });

  it('works with stream.pipeline and defaults to application/octet-stream', async () => {
    const outcome = await api.invoke({ op: 'pipeline' });
    expect(outcome.headers['content-type']).toBe('application/octet-stream');
    expect(outcome.body.toString()).toBe('alpha beta gamma');
  });

  it('writes the HttpResponseStream prelude, eight NUL bytes, then the payload', async () => {
    const outcome = await api.invoke({ op: 'http' });
    expect(outcome.headers['content-type']).toBe('application/vnd.awslambda.http-integration-response');
    const prelude = JSON.stringify({ statusCode: 201, headers: { 'x-kind': 'test' }, cookies: ['a=1'] });
    expect(outcome.body.equals(Buffer.concat([Buffer.from(prelude), Buffer.alloc(8), Buffer.from('created')]))).toBe(
      true,
    );
  });

  it('honours backpressure and delivers a large stream byte for byte', async () => {
    const outcome = await api.invoke({ op: 'large', pieces: 64 });
    expect(outcome.body.length).toBe(64 * 65536);
    expect(outcome.body.equals(Buffer.alloc(64 * 65536, 'z'))).toBe(true);
  });

  it('reports an error after the first bytes in the trailers (type, base64 JSON body)', async () => {
    const outcome = await api.invoke({ op: 'mid-error' });
    expect(outcome.kind).toBe('response');
    expect(outcome.body.toString()).toBe('partial ');
    expect(outcome.trailers['lambda-runtime-function-error-type']).toBe('Function.TypeError');
    const body = JSON.parse(Buffer.from(outcome.trailers['lambda-runtime-function-error-body']!, 'base64').toString());
    expect(body).toMatchObject({ errorType: 'TypeError', errorMessage: 'broke mid-stream' });
    expect(body.trace.length).toBeGreaterThan(0);
  });

  it('reports an error before any byte on /error', async () => {
    const outcome = await api.invoke({ op: 'early-error' });
    expect(outcome.kind).toBe('error');
    expect(outcome.headers['lambda-runtime-function-error-type']).toBe('Function.RangeError');
  });

  it('ends a stream the handler left open once the event loop is empty', async () => {
    const outcome = await api.invoke({ op: 'forget-end' });
    expect(outcome.body.toString()).toBe('never ended');
    expect(outcome.trailers).toEqual({});
    expect((await api.invoke({ op: 'chunks', chunks: ['still alive'] })).body.toString()).toBe('still alive');
  });
});
