// The local Invoke API driven by the real AWS SDK InvokeCommand, in front of warm host-process environments.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { startEmulator } from '../../../src/local/api/emulator.js';
import { Environment } from '../../../src/local/execution/environment.js';
import { hostProcessLauncher } from '../../../src/local/execution/host-process.js';
import { EnvironmentPool } from '../../../src/local/execution/pool.js';
import { startInvokeServer, type InvokeServer } from '../../../src/local/api/invoke-server.js';

const fixtures = fileURLToPath(new URL('../../fixtures/invoke-local/', import.meta.url));

interface Served {
  server: InvokeServer;
  client: LambdaClient;
  pool: EnvironmentPool;
  log: () => string;
}

async function serve(concurrency: number, timeoutMs = 10_000): Promise<Served> {
  let log = '';
  const environments: Environment[] = [];
  for (let index = 0; index < concurrency; index++) {
    const emulator = await startEmulator({ functionName: 'orders', timeoutMs });
    const environment = new Environment({
      emulator,
      memorySizeMb: 256,
      launcher: hostProcessLauncher({
        command: [process.execPath, `${fixtures}mini-runtime.cjs`, 'index.handler'],
        cwd: `${fixtures}app`,
        env: {
          PATH: process.env.PATH ?? '',
          AWS_LAMBDA_FUNCTION_NAME: 'orders',
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        },
      }),
    });
    environment.on('log', (chunk) => (log += chunk.toString()));
    environments.push(environment);
  }
  const pool = new EnvironmentPool(environments);
  const server = await startInvokeServer({
    functionName: 'orders',
    invoke: (payload, options) => pool.invoke(payload, options),
  });
  const client = new LambdaClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });
  return { server, client, pool, log: () => log };
}

async function shutDown(served: Served) {
  served.client.destroy();
  await served.server.close();
  await served.pool.stop();
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const parse = (payload: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(payload));

describe('one warm environment', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(1, 1500);
  });
  afterAll(() => shutDown(served));

  it('answers RequestResponse with the function bytes and the executed version', async () => {
    const out = await served.client.send(
      new InvokeCommand({ FunctionName: 'orders', Payload: json({ hello: 'world' }) }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(parse(out.Payload)).toEqual({ echo: { hello: 'world' } });
  });

  it('accepts "function" and the ARN as the name, and says which functions exist otherwise', async () => {
    const byAlias = await served.client.send(
      new InvokeCommand({ FunctionName: 'function', Payload: json({ action: 'noop' }) }),
    );
    expect(parse(byAlias.Payload)).toBeNull();
    const byArn = await served.client.send(
      new InvokeCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:orders',
        Payload: json({ a: 1 }),
      }),
    );
    expect(parse(byArn.Payload)).toEqual({ echo: { a: 1 } });
    await expect(served.client.send(new InvokeCommand({ FunctionName: 'payments' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('marks a function error with X-Amz-Function-Error and returns the error document', async () => {
    const out = await served.client.send(
      new InvokeCommand({ FunctionName: 'orders', Payload: json({ action: 'throw', message: 'no stock' }) }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(parse(out.Payload)).toEqual({ errorType: 'TypeError', errorMessage: 'no stock' });
  });

  it('returns the last 4 KB of the invocation log with LogType Tail', async () => {
    const lines = Array.from({ length: 200 }, (_, index) => `line ${index} ${'x'.repeat(20)}`);
    const out = await served.client.send(
      new InvokeCommand({ FunctionName: 'orders', LogType: 'Tail', Payload: json({ action: 'log', lines }) }),
    );
    const tail = Buffer.from(out.LogResult!, 'base64').toString();
    expect(Buffer.byteLength(tail)).toBe(4096);
    expect(tail).toContain('line 199');
    expect(tail).not.toContain('line 0 ');
    expect(tail).toMatch(
      /END RequestId: [0-9a-f-]{36}\nREPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\t\n$/,
    );

    const short = await served.client.send(
      new InvokeCommand({
        FunctionName: 'orders',
        LogType: 'Tail',
        Payload: json({ action: 'log', lines: ['only me'] }),
      }),
    );
    const shortTail = Buffer.from(short.LogResult!, 'base64').toString();
    expect(shortTail).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\nonly me\n/);
    const noTail = await served.client.send(
      new InvokeCommand({ FunctionName: 'orders', Payload: json({ action: 'noop' }) }),
    );
    expect(noTail.LogResult).toBeUndefined();
  });

  it('passes the client context to the function as JSON', async () => {
    const context = { client: { installation_id: 'abc' }, custom: { tenant: 't1' } };
    const out = await served.client.send(
      new InvokeCommand({
        FunctionName: 'orders',
        ClientContext: Buffer.from(JSON.stringify(context)).toString('base64'),
        Payload: json({ action: 'context' }),
      }),
    );
    expect(parse(out.Payload)).toMatchObject({ clientContext: context, functionName: 'orders', memory: '256' });
  });

  it('answers DryRun with 204 without invoking, and Event with 202 while invoking in the background', async () => {
    const before = served.log();
    const dry = await served.client.send(
      new InvokeCommand({
        FunctionName: 'orders',
        InvocationType: 'DryRun',
        Payload: json({ action: 'log', lines: ['dry-run marker'] }),
      }),
    );
    expect(dry.StatusCode).toBe(204);
    const event = await served.client.send(
      new InvokeCommand({
        FunctionName: 'orders',
        InvocationType: 'Event',
        Payload: json({ action: 'log', lines: ['event marker'] }),
      }),
    );
    expect(event.StatusCode).toBe(202);
    expect(event.Payload?.length ?? 0).toBe(0);
    // The next synchronous invocation queues behind the Event one, so its log is complete by then.
    await served.client.send(new InvokeCommand({ FunctionName: 'orders', Payload: json({ action: 'noop' }) }));
    const after = served.log().slice(before.length);
    expect(after).toContain('event marker');
    expect(after).not.toContain('dry-run marker');
  });

  it('rejects a payload that is not JSON and a client context that is not base64 JSON', async () => {
    await expect(
      served.client.send(new InvokeCommand({ FunctionName: 'orders', Payload: new TextEncoder().encode('{nope') })),
    ).rejects.toMatchObject({ name: 'InvalidRequestContentException' });
    await expect(
      served.client.send(new InvokeCommand({ FunctionName: 'orders', ClientContext: 'bm90IGpzb24=' })),
    ).rejects.toMatchObject({ name: 'InvalidRequestContentException' });
  });

  it('answers a timeout as a function error and starts a fresh environment for the next call', async () => {
    const out = await served.client.send(
      new InvokeCommand({ FunctionName: 'orders', LogType: 'Tail', Payload: json({ action: 'sleep', ms: 5000 }) }),
    );
    expect(out.FunctionError).toBe('Unhandled');
    expect(parse(out.Payload)).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(/Task timed out after 1\.50 seconds$/),
    });
    expect(Buffer.from(out.LogResult!, 'base64').toString()).toMatch(
      /Task timed out after 1\.50 seconds\nEND RequestId: .*\nREPORT .*Status: timeout\t\n$/,
    );
    const again = await served.client.send(
      new InvokeCommand({ FunctionName: 'orders', LogType: 'Tail', Payload: json({ a: 2 }) }),
    );
    expect(parse(again.Payload)).toEqual({ echo: { a: 2 } });
    expect(Buffer.from(again.LogResult!, 'base64').toString()).toMatch(/Init Duration: [\d.]+ ms/);
  });
});

describe('--concurrency', () => {
  const startsBeforeFirstEnd = (log: string) => {
    const firstEnd = log.indexOf('END RequestId');
    return log.slice(0, firstEnd).split('START RequestId').length - 1;
  };

  it('queues concurrent calls in one environment', async () => {
    const served = await serve(1);
    try {
      await Promise.all(
        [0, 1].map(() =>
          served.client.send(
            new InvokeCommand({ FunctionName: 'orders', Payload: json({ action: 'sleep', ms: 200 }) }),
          ),
        ),
      );
      expect(startsBeforeFirstEnd(served.log())).toBe(1);
    } finally {
      await shutDown(served);
    }
  });

  it('runs concurrent calls side by side in N warm environments', async () => {
    const served = await serve(2);
    try {
      const outs = await Promise.all(
        [0, 1].map(() =>
          served.client.send(
            new InvokeCommand({ FunctionName: 'orders', Payload: json({ action: 'sleep', ms: 200 }) }),
          ),
        ),
      );
      expect(outs.map((out) => parse(out.Payload))).toEqual([{ slept: 200 }, { slept: 200 }]);
      expect(startsBeforeFirstEnd(served.log())).toBe(2);
    } finally {
      await shutDown(served);
    }
  });
});
