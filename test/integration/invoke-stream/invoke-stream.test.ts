// InvokeWithResponseStream on the local Invoke API, driven by the real @aws-sdk/client-lambda over HTTP, in front of
// tslambda's runtime loop on the host: chunks arrive while the function still runs, errors land in InvokeComplete.

import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvokeWithResponseStreamCommand,
  LambdaClient,
  type InvokeWithResponseStreamResponseEvent,
} from '@aws-sdk/client-lambda';
import { startInvokeServer, type InvokeServer } from '../../../src/local/api/invoke-server.js';
import { makeProject } from '../../support/temp-project.js';
import { startHostFunction, type HostFunction } from '../../support/host-function.js';

// Each handler is chosen by the event's `mode`. `gate` is a URL the test holds open: the function cannot end
// until the test answers it, so "a chunk arrived before the function ended" is an ordering, not a timing.
const HANDLERS = `
const streaming = awslambda.streamifyResponse(async (event, stream) => {
  if (event.mode === 'gated') {
    stream.write('first chunk;');
    await fetch(event.gate);
    stream.write('second chunk');
    stream.end();
  } else if (event.mode === 'bulk') {
    // 8 MiB as fast as the stream takes it (well within the 2 s timeout): block i is 4 KiB (several fit in a stream's buffer) of the byte i % 256.
    for (let block = 0; block < 2048; block++) {
      if (!stream.write(Buffer.alloc(4096, block % 256))) await new Promise((resolve) => stream.once('drain', resolve));
    }
    stream.end();
  } else if (event.mode === 'fails-mid-stream') {
    stream.write('partial');
    await new Promise((resolve) => setTimeout(resolve, 20));
    throw new TypeError('broke after the first byte');
  } else if (event.mode === 'sleeps') {
    stream.write('before the timeout');
    await new Promise(() => setInterval(() => {}, 1000));
  }
});
exports.streaming = streaming;
exports.buffered = async (event) => {
  console.log('buffered handler ran');
  if (event.mode === 'throws') throw new RangeError('no such order');
  return { order: event.id, items: [1, 2] };
};
`;

const decoder = new TextDecoder();

interface Collected {
  chunks: string[];
  complete?: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string };
}

async function collect(stream: AsyncIterable<InvokeWithResponseStreamResponseEvent> | undefined, onChunk?: () => void) {
  const collected: Collected = { chunks: [] };
  for await (const event of stream ?? []) {
    if (event.PayloadChunk?.Payload) {
      collected.chunks.push(decoder.decode(event.PayloadChunk.Payload));
      onChunk?.();
    }
    if (event.InvokeComplete) collected.complete = event.InvokeComplete;
  }
  return collected;
}

function serverFor(fn: HostFunction): Promise<InvokeServer> {
  return startInvokeServer({ functionName: 'web', invoke: (payload, options) => fn.pool.invoke(payload, options) });
}

function clientFor(server: InvokeServer): LambdaClient {
  return new LambdaClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
}

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('a streaming handler', () => {
  let fn: HostFunction;
  let server: InvokeServer;
  let client: LambdaClient;
  beforeAll(async () => {
    const root = await makeProject({ 'index.cjs': HANDLERS });
    fn = await startHostFunction({ taskRoot: root, handler: 'index.streaming', timeoutSeconds: 2 });
    server = await serverFor(fn);
    client = clientFor(server);
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
    await fn.stop();
  });

  it('delivers the first chunk while the function is still blocked, then the rest', async () => {
    const order: string[] = [];
    let answerGate: ServerResponse | undefined;
    let firstChunkSeen = false;
    // The gate opens once the function waits on it and the first chunk is here, never before.
    const openIfReady = () => {
      if (!answerGate || !firstChunkSeen || answerGate.writableEnded) return;
      order.push('gate opened');
      answerGate.end('go');
    };
    const gate = createServer((_req, res) => {
      order.push('function waits on the gate');
      answerGate = res;
      openIfReady();
    });
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
    const gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/`;
    // Should the first chunk never come early (a buffered stream), the gate still opens, late, and the order says so.
    const fallback = setTimeout(() => {
      order.push('gate opened by the fallback');
      answerGate?.end('go');
    }, 5000);
    try {
      const out = await client.send(
        new InvokeWithResponseStreamCommand({
          FunctionName: 'web',
          Payload: payload({ mode: 'gated', gate: gateUrl }),
        }),
      );
      expect(out.StatusCode).toBe(200);
      expect(out.ExecutedVersion).toBe('$LATEST');
      let received = 0;
      const collected = await collect(out.EventStream, () => {
        order.push(`chunk ${++received} received`);
        firstChunkSeen = true;
        openIfReady();
      });
      expect(collected.chunks.join('')).toBe('first chunk;second chunk');
      expect(collected.complete).toEqual({});
      expect(order.filter((step) => step !== 'function waits on the gate')).toEqual([
        'chunk 1 received',
        'gate opened',
        'chunk 2 received',
      ]);
    } finally {
      clearTimeout(fallback);
      gate.closeAllConnections();
      gate.close();
    }
  });

  it('reports an error thrown after the first byte in InvokeComplete', async () => {
    const out = await client.send(
      new InvokeWithResponseStreamCommand({ FunctionName: 'web', Payload: payload({ mode: 'fails-mid-stream' }) }),
    );
    const collected = await collect(out.EventStream);
    expect(collected.chunks.join('')).toBe('partial');
    // The runtime reports the error's type as Function.<name>; Lambda keeps it.
    expect(collected.complete?.ErrorCode).toBe('Function.TypeError');
    const details = JSON.parse(collected.complete?.ErrorDetails ?? '{}');
    expect(details).toMatchObject({ errorType: 'TypeError', errorMessage: 'broke after the first byte' });
  });

  it('ends a stream the timeout cut with Sandbox.Timedout, after the bytes already sent', async () => {
    const out = await client.send(
      new InvokeWithResponseStreamCommand({ FunctionName: 'web', Payload: payload({ mode: 'sleeps' }) }),
    );
    const collected = await collect(out.EventStream);
    expect(collected.chunks.join('')).toBe('before the timeout');
    expect(collected.complete?.ErrorCode).toBe('Sandbox.Timedout');
    expect(collected.complete?.ErrorDetails).toMatch(/Task timed out after 2\.00 seconds/);
  });
});

describe('a large stream', () => {
  it('delivers every byte of a large stream, in order, before InvokeComplete, to a consumer that reads late', async () => {
    const root = await makeProject({ 'index.cjs': HANDLERS });
    // A timeout of its own: on a loaded machine 8 MiB may take longer than the 2 s the other cases use.
    const fn = await startHostFunction({ taskRoot: root, handler: 'index.streaming', timeoutSeconds: 60 });
    const server = await serverFor(fn);
    const client = clientFor(server);
    try {
      const out = await client.send(
        new InvokeWithResponseStreamCommand({ FunctionName: 'web', Payload: payload({ mode: 'bulk' }) }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const parts: Buffer[] = [];
      let completeAfter = -1;
      for await (const event of out.EventStream ?? []) {
        if (event.PayloadChunk?.Payload) parts.push(Buffer.from(event.PayloadChunk.Payload));
        if (event.InvokeComplete) completeAfter = parts.length;
      }
      const body = Buffer.concat(parts);
      expect(body.length).toBe(2048 * 4096);
      for (let block = 0; block < 2048; block++)
        expect([body[block * 4096], body[block * 4096 + 4095]]).toEqual([block % 256, block % 256]);
      expect(completeAfter).toBe(parts.length);
    } finally {
      client.destroy();
      await server.close();
      await fn.stop();
    }
  });
});

describe('a handler that does not stream', () => {
  let fn: HostFunction;
  let server: InvokeServer;
  let client: LambdaClient;
  beforeAll(async () => {
    const root = await makeProject({ 'index.cjs': HANDLERS });
    fn = await startHostFunction({ taskRoot: root, handler: 'index.buffered' });
    server = await serverFor(fn);
    client = clientFor(server);
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
    await fn.stop();
  });

  it('answers its whole payload as one chunk, then InvokeComplete, with the log tail on request', async () => {
    const out = await client.send(
      new InvokeWithResponseStreamCommand({ FunctionName: 'web', LogType: 'Tail', Payload: payload({ id: 7 }) }),
    );
    const collected = await collect(out.EventStream);
    expect(collected.chunks).toEqual([JSON.stringify({ order: 7, items: [1, 2] })]);
    expect(collected.complete?.ErrorCode).toBeUndefined();
    const log = Buffer.from(collected.complete?.LogResult ?? '', 'base64').toString();
    expect(log).toMatch(/START RequestId: [0-9a-f-]+ Version: \$LATEST/);
    expect(log).toContain('buffered handler ran');
  });

  it('answers a thrown error with no chunk and the error in InvokeComplete', async () => {
    const out = await client.send(
      new InvokeWithResponseStreamCommand({ FunctionName: 'web', Payload: payload({ mode: 'throws' }) }),
    );
    const collected = await collect(out.EventStream);
    expect(collected.chunks).toEqual([]);
    expect(JSON.parse(collected.complete?.ErrorDetails ?? '{}')).toMatchObject({
      errorType: 'RangeError',
      errorMessage: 'no such order',
    });
    expect(collected.complete?.ErrorCode).toBeTruthy();
  });

  it('refuses the Event invocation type, which streaming does not take', async () => {
    await expect(
      client.send(
        new InvokeWithResponseStreamCommand({
          FunctionName: 'web',
          InvocationType: 'Event' as never,
          Payload: payload({}),
        }),
      ),
    ).rejects.toThrow(/RequestResponse or DryRun/);
  });
});
