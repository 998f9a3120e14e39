// Contract tests for the Extensions API (2020-01-01) and the Telemetry API (2022-07-01) of the emulator, driven
// with raw HTTP as an extension calls them, beside a runtime driven the same way.

import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { startEmulator, type Emulator } from '../../../src/local/api/emulator.js';
import {
  EXITED_EXTENSION_PATH,
  EXTENSIONS_DIR_ENV,
  ExtensionPath,
  LAUNCHED_EXTENSIONS_PATH,
} from '../../../src/local/api/extensions.js';
import { INSPECT_ENV } from '../../../src/local/execution/inspector.js';
import { next, send, type RawResponse } from './raw-http.js';

let emulator: Emulator;
const servers: Server[] = [];
const unsettled: Array<Promise<unknown>> = [];
afterEach(async () => {
  await emulator?.close();
  await Promise.allSettled(unsettled.splice(0));
  for (const server of servers.splice(0)) server.close();
});

async function start(timeoutMs = 30_000): Promise<Emulator> {
  emulator = await startEmulator({ functionName: 'orders', region: 'eu-west-1', timeoutMs, handler: 'index.handler' });
  emulator.environmentStarting();
  return emulator;
}

const register = (name: string, events: string[]) =>
  send(emulator.address, 'POST', ExtensionPath.register, {
    headers: { 'lambda-extension-name': name, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });

/** An extension's /event/next, answered when it gets an event. */
function eventNext(id: string): { response: Promise<RawResponse>; answered: () => boolean } {
  let done = false;
  const response = send(emulator.address, 'GET', ExtensionPath.next, {
    headers: { 'lambda-extension-identifier': id },
  }).finally(() => {
    done = true;
  });
  response.catch(() => undefined);
  return { response, answered: () => done };
}

const roundTrip = () => send(emulator.address, 'GET', '/ping');
const answer = (requestId: string, body = '"ok"') =>
  send(emulator.address, 'POST', `/2018-06-01/runtime/invocation/${requestId}/response`, { body });

describe('Extensions API', () => {
  it('registers an extension and answers with its identifier and the function', async () => {
    await start();
    const registered = await register('probe', ['INVOKE', 'SHUTDOWN']);
    expect(registered.status).toBe(200);
    expect(registered.headers['lambda-extension-identifier']).toMatch(/^[0-9a-f-]{36}$/);
    expect(registered.json()).toEqual({ functionName: 'orders', functionVersion: '$LATEST', handler: 'index.handler' });
  });

  it('refuses a registration without a name or with unknown events, and an unknown identifier', async () => {
    await start();
    expect((await send(emulator.address, 'POST', ExtensionPath.register, { body: '{"events":[]}' })).status).toBe(400);
    expect((await register('bad', ['INVOKE', 'LOGS'])).status).toBe(400);
    const unknown = await send(emulator.address, 'GET', ExtensionPath.next, {
      headers: { 'lambda-extension-identifier': 'nope' },
    });
    expect(unknown.status).toBe(403);
    expect(unknown.json().errorType).toBe('Extension.Unknown');
  });

  it('holds the first invocation until every launched extension registered and waits in /event/next', async () => {
    await start();
    await send(emulator.address, 'POST', LAUNCHED_EXTENSIONS_PATH, { body: JSON.stringify({ names: ['probe'] }) });
    const runtime = next(emulator.address);
    const result = emulator.invoke('{"n":1}');
    unsettled.push(result);
    await roundTrip();
    expect(runtime.answered()).toBe(false); // 'probe' has not registered

    const id = (await register('probe', ['INVOKE'])).headers['lambda-extension-identifier'] as string;
    await roundTrip();
    expect(runtime.answered()).toBe(false); // registered, but not ready

    const invokeEvent = eventNext(id);
    const delivered = await runtime.response;
    const requestId = delivered.headers['lambda-runtime-aws-request-id'] as string;
    const event = (await invokeEvent.response).json();
    expect(event).toMatchObject({
      eventType: 'INVOKE',
      requestId,
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:orders',
      deadlineMs: Number(delivered.headers['lambda-runtime-deadline-ms']),
      tracing: { type: 'X-Amzn-Trace-Id', value: delivered.headers['lambda-runtime-trace-id'] },
    });
  });

  it('ends an invocation only when the runtime answered and every INVOKE subscriber called /event/next again', async () => {
    await start();
    const id = (await register('probe', ['INVOKE'])).headers['lambda-extension-identifier'] as string;
    const first = eventNext(id);
    const runtime = next(emulator.address);
    let settled = false;
    const result = emulator.invoke('{}').then((value) => {
      settled = true;
      return value;
    });
    const requestId = (await runtime.response).headers['lambda-runtime-aws-request-id'] as string;
    await first.response;
    expect((await answer(requestId)).status).toBe(202);
    const secondRuntime = next(emulator.address);
    const second = emulator.invoke('{}');
    unsettled.push(second);
    await roundTrip();
    expect(settled).toBe(false); // the extension still holds the invocation
    expect(secondRuntime.answered()).toBe(false); // and the next one waits for it

    const again = eventNext(id);
    const settledResult = await result;
    expect(settledResult.outcome).toBe('success');
    expect(settledResult.payload.toString()).toBe('"ok"');
    await secondRuntime.response;
    expect((await again.response).json().eventType).toBe('INVOKE');
  });

  it('an extension subscribed only to SHUTDOWN does not hold invocations, and gets SHUTDOWN with its deadline', async () => {
    await start();
    const id = (await register('closer', ['SHUTDOWN'])).headers['lambda-extension-identifier'] as string;
    const waiting = eventNext(id);
    const runtime = next(emulator.address);
    const result = emulator.invoke('{}');
    const requestId = (await runtime.response).headers['lambda-runtime-aws-request-id'] as string;
    await answer(requestId);
    expect((await result).outcome).toBe('success');
    expect(waiting.answered()).toBe(false);

    const before = Date.now();
    const shutdown = emulator.shutdownExtensions('spindown');
    const event = (await waiting.response).json();
    expect(event.eventType).toBe('SHUTDOWN');
    expect(event.shutdownReason).toBe('spindown');
    expect(event.deadlineMs).toBeGreaterThanOrEqual(before + 2000);
    expect(event.deadlineMs).toBeLessThanOrEqual(Date.now() + 2000);
    eventNext(id); // done: shutdownExtensions returns before the deadline
    await shutdown;
  });

  it('a timeout that fires while an extension holds the invocation answers with the timeout, and SHUTDOWN says timeout', async () => {
    await start(300);
    const id = (await register('slow', ['INVOKE', 'SHUTDOWN'])).headers['lambda-extension-identifier'] as string;
    const first = eventNext(id);
    const runtime = next(emulator.address);
    const result = emulator.invoke('{}');
    const requestId = (await runtime.response).headers['lambda-runtime-aws-request-id'] as string;
    await first.response;
    await answer(requestId);
    // The extension never calls /event/next: the function's timeout ends the invocation.
    const timedOut = await result;
    expect(timedOut.outcome).toBe('timeout');
    expect(timedOut.payload.toString()).toContain('Task timed out after 0.30 seconds');

    const shutdown = emulator.shutdownExtensions('timeout');
    const event = (await eventNext(id).response).json();
    expect(event).toMatchObject({ eventType: 'SHUTDOWN', shutdownReason: 'timeout' });
    eventNext(id);
    await shutdown;
  });

  it('init/error and exit/error are accepted and the extension is no longer waited for', async () => {
    await start();
    await send(emulator.address, 'POST', LAUNCHED_EXTENSIONS_PATH, { body: JSON.stringify({ names: ['broken'] }) });
    const id = (await register('broken', ['INVOKE'])).headers['lambda-extension-identifier'] as string;
    const errors: string[] = [];
    emulator.extensions.onError = (kind, name, type) => errors.push(`${kind} ${name} ${type}`);
    const reported = await send(emulator.address, 'POST', ExtensionPath.initError, {
      headers: { 'lambda-extension-identifier': id, 'lambda-extension-function-error-type': 'Extension.Broken' },
      body: '{"errorMessage":"no config"}',
    });
    expect(reported.status).toBe(202);
    expect(errors).toEqual(['init broken Extension.Broken']);
    const runtime = next(emulator.address);
    const result = emulator.invoke('{}');
    await answer((await runtime.response).headers['lambda-runtime-aws-request-id'] as string);
    expect((await result).outcome).toBe('success');
  });

  it('stops waiting for a launched extension that could not start, or one that ended', async () => {
    await start();
    await send(emulator.address, 'POST', LAUNCHED_EXTENSIONS_PATH, { body: JSON.stringify({ names: ['a', 'b'] }) });
    const id = (await register('b', ['INVOKE'])).headers['lambda-extension-identifier'] as string;
    const runtime = next(emulator.address);
    const result = emulator.invoke('{}');
    unsettled.push(result);
    await roundTrip();
    expect(runtime.answered()).toBe(false);
    await send(emulator.address, 'POST', EXITED_EXTENSION_PATH, { body: '{"name":"a"}' });
    await roundTrip();
    expect(runtime.answered()).toBe(false); // 'b' registered but has not called /event/next
    const invokeEvent = eventNext(id);
    const requestId = (await runtime.response).headers['lambda-runtime-aws-request-id'] as string;
    await invokeEvent.response;
    await answer(requestId);
    await send(emulator.address, 'POST', EXITED_EXTENSION_PATH, { body: '{"name":"b"}' });
    expect((await result).outcome).toBe('success');
  });
});

describe('Telemetry API', () => {
  async function subscriber(): Promise<{ uri: string; batches: unknown[][] }> {
    const batches: unknown[][] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        batches.push(JSON.parse(Buffer.concat(chunks).toString()) as unknown[]);
        res.end();
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { uri: `http://sandbox.localdomain:${(server.address() as AddressInfo).port}`, batches };
  }

  const subscribe = (id: string, body: object) =>
    send(emulator.address, 'PUT', '/2022-07-01/telemetry', {
      headers: { 'lambda-extension-identifier': id, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('delivers platform and function records in batches to the subscriber', async () => {
    await start();
    const id = (await register('telemetry', ['INVOKE'])).headers['lambda-extension-identifier'] as string;
    const { uri, batches } = await subscriber();
    const subscribed = await subscribe(id, {
      schemaVersion: '2022-12-13',
      destination: { protocol: 'HTTP', URI: uri },
      types: ['platform', 'function'],
      buffering: { maxItems: 1000, maxBytes: 262144, timeoutMs: 25 },
    });
    expect(subscribed.status).toBe(200);
    expect(subscribed.body.toString()).toBe('OK');
    const waiting = eventNext(id);
    const runtime = next(emulator.address);
    const result = emulator.invoke('{}');
    const requestId = (await runtime.response).headers['lambda-runtime-aws-request-id'] as string;
    await waiting.response;
    emulator.telemetry.functionOutput(Buffer.from('a line\nanother line\n'));
    await answer(requestId);
    eventNext(id);
    await result;
    await emulator.telemetry.flush();

    const records = batches.flat() as Array<{ time: string; type: string; record: unknown }>;
    const types = records.map((record) => record.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'platform.initStart',
        'platform.telemetrySubscription',
        'platform.start',
        'platform.runtimeDone',
      ]),
    );
    expect(types.indexOf('platform.start')).toBeLessThan(types.indexOf('platform.runtimeDone'));
    expect(records.find((record) => record.type === 'platform.start')!.record).toEqual({
      requestId,
      version: '$LATEST',
    });
    expect(records.find((record) => record.type === 'platform.runtimeDone')!.record).toMatchObject({
      requestId,
      status: 'success',
      metrics: { producedBytes: 4 },
    });
    expect(records.filter((record) => record.type === 'function').map((record) => record.record)).toEqual([
      'a line',
      'another line',
    ]);
    for (const record of records) expect(new Date(record.time).toISOString()).toBe(record.time);
  });

  it('sends a batch as soon as maxItems records are buffered', async () => {
    await start();
    const id = (await register('telemetry', ['INVOKE'])).headers['lambda-extension-identifier'] as string;
    const { uri, batches } = await subscriber();
    await subscribe(id, {
      schemaVersion: '2022-12-13',
      destination: { protocol: 'HTTP', URI: uri },
      types: ['function'],
      buffering: { maxItems: 25, timeoutMs: 30_000 },
    });
    emulator.telemetry.functionOutput(Buffer.from(`${Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n')}\n`));
    await emulator.telemetry.flush();
    expect(batches.map((batch) => batch.length)).toEqual([25, 5]);
  });

  it('refuses a subscription with Lambda-like validation messages', async () => {
    await start();
    const id = (await register('telemetry', ['INVOKE'])).headers['lambda-extension-identifier'] as string;
    const refused = await subscribe(id, {
      schemaVersion: '2022-12-13',
      destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain:1' },
      types: ['platform'],
      buffering: { timeoutMs: 5 },
    });
    expect(refused.status).toBe(400);
    expect(refused.json().errorMessage).toBe('buffering.timeoutMs must be an integer from 25 to 30000');
    expect((await subscribe('not-registered', {})).status).toBe(403);
  });
});

describe('the runtime and the emulator', () => {
  it('name the launched-extensions path the same way', () => {
    const runtime = readFileSync(new URL('../../../runtime/extensions.cjs', import.meta.url), 'utf8');
    expect(runtime).toContain(`const LAUNCHED_PATH = '${LAUNCHED_EXTENSIONS_PATH}';`);
    expect(runtime).toContain(`const EXITED_PATH = '${EXITED_EXTENSION_PATH}';`);
    const bootstrap = readFileSync(new URL('../../../runtime/bootstrap.cjs', import.meta.url), 'utf8');
    expect(bootstrap).toContain(`env.${EXTENSIONS_DIR_ENV}`);
    expect(bootstrap).toContain(`env.${INSPECT_ENV}`);
  });
});
