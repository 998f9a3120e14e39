// The real SDK clients, as tslambda configures them, against the fake AWS behind a fault proxy: every failure is
// bounded (connect timeout, silence timeout, attempts, deadline) and ends as one line with exit code 6.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../src/core/errors.js';
import { createAwsClients } from '../../src/aws/clients.js';
import { getFunction } from '../../src/aws/lambda.js';
import { type FakeAws, startFakeAws } from '../support/fake-aws/index.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../support/proxy.js';

let aws: FakeAws;
let proxy: FaultProxy | undefined;
// Short bounds so that a stalled case takes seconds; the mechanism is the one the README's values use.
const timeouts = { connectMs: 500, requestMs: 800, maxAttempts: 3, deadlineMs: 2_000 };

beforeAll(async () => {
  aws = await startFakeAws({ registry: { host: '127.0.0.1:5999', password: 'pw' } });
});
afterAll(async () => {
  await aws.close();
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function getFunctionThrough(fault: Fault): Promise<{ error?: UserError; ms: number }> {
  const endpoint = new URL(aws.env.AWS_ENDPOINT_URL!);
  proxy = await startFaultProxy({ host: endpoint.hostname, port: Number(endpoint.port) }, fault);
  const env = { ...aws.env, AWS_ENDPOINT_URL: `http://${proxy.host}` };
  const started = performance.now();
  try {
    const { lambda } = createAwsClients({ env, timeouts });
    await getFunction(lambda, 'faults-fn');
    return { ms: performance.now() - started };
  } catch (error) {
    return { error: error as UserError, ms: performance.now() - started };
  }
}

describe('AWS behind a faulty network', () => {
  const cases: Array<[string, Fault, RegExp, number]> = [
    [
      'answers 500 from the 1st request on',
      { kind: 'status', status: 500, from: 1 },
      /^GetFunction faults-fn failed: \w+: /,
      3,
    ],
    ['answers 503 once, then recovers', { kind: 'status', status: 503, from: 1, once: true }, /^$/, 2],
    [
      'resets every connection',
      { kind: 'reset', from: 1 },
      /^cannot reach AWS for GetFunction faults-fn: ECONNRESET$/,
      3,
    ],
    [
      'refuses connections',
      { kind: 'refuse', from: 1 },
      /^cannot reach AWS for GetFunction faults-fn: ECONNREFUSED$/,
      1,
    ],
    [
      'accepts and never answers',
      { kind: 'stall', from: 1 },
      /^cannot reach AWS for GetFunction faults-fn: timed out \(no answer within 2 s\)$/,
      2,
    ],
  ];

  it.each(cases)(
    'an endpoint that %s: bounded, then one line and exit 6',
    async (_name, fault, firstLine, minimumRequests) => {
      aws.reset();
      aws.lambda.addFunction?.({ FunctionName: 'faults-fn' } as never);
      const { error, ms } = await getFunctionThrough(fault);
      expect(proxy!.requests).toBeGreaterThanOrEqual(minimumRequests);
      expect(proxy!.requests).toBeLessThanOrEqual(timeouts.maxAttempts);
      // Bounded by the deadline (plus the time to report).
      expect(ms).toBeLessThan(timeouts.deadlineMs + 1_500);
      if (firstLine.source === '^$') return expect(error).toBeUndefined();
      expect(error).toBeInstanceOf(UserError);
      expect(error!.exitCode).toBe(ExitCode.awsError);
      expect(error!.message.split('\n')[0], error!.message).toMatch(firstLine);
    },
    20_000,
  );
});
