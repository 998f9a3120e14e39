// The canary's metric reads with the real @aws-sdk/client-cloudwatch over HTTP against the fake CloudWatch:
// the wire protocol (JSON 1.0, query-compatible errors), exact dimensions, the time window, and AccessDenied.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../../src/core/errors.js';
import { createMetricsClient, readVersionCounts } from '../../../src/aws/metrics.js';
import { type FakeAws, startFakeAws } from '../../support/fake-aws/index.js';
import { runCli } from '../../support/run-cli.js';
import { makeProject } from '../../support/temp-project.js';

let aws: FakeAws;
const of = { functionName: 'metrics-fn', alias: 'live', version: '7' };
const canaryDimensions = { FunctionName: 'metrics-fn', Resource: 'metrics-fn:live', ExecutedVersion: '7' };
const client = () => createMetricsClient({ env: aws.env, region: aws.region });

beforeAll(async () => {
  aws = await startFakeAws({ registry: { host: '127.0.0.1:5999', password: 'unused' } });
});
afterAll(() => aws.close());
beforeEach(() => aws.reset());
afterEach(() => expect(aws.unexpected).toEqual([]));

describe('readVersionCounts (GetMetricData)', () => {
  it('sums Errors and Invocations of the version behind the alias, and nothing else', async () => {
    const since = Date.now();
    // Through the alias on version 7: counted. Through the alias on version 6, or version 7 called directly: not.
    aws.metrics.recordInvocation({ functionName: 'metrics-fn', qualifier: 'live', version: '7', error: true });
    aws.metrics.recordInvocation({ functionName: 'metrics-fn', qualifier: 'live', version: '7', error: false });
    aws.metrics.recordInvocation({ functionName: 'metrics-fn', qualifier: 'live', version: '6', error: true });
    aws.metrics.recordInvocation({ functionName: 'metrics-fn', qualifier: '7', version: '7', error: true });
    aws.metrics.push({ metricName: 'Errors', dimensions: canaryDimensions, value: 3 });
    const counts = await readVersionCounts(client(), of, since);
    expect(counts).toEqual({ errors: 4, invocations: 2 });
    const [call] = aws.calls;
    expect(call).toMatchObject({ service: 'cloudwatch', operation: 'GetMetricData', status: 200 });
    expect(call!.input.MetricDataQueries).toEqual([
      expect.objectContaining({
        Id: 'errors',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Lambda',
            MetricName: 'Errors',
            Dimensions: [
              { Name: 'FunctionName', Value: 'metrics-fn' },
              { Name: 'Resource', Value: 'metrics-fn:live' },
              { Name: 'ExecutedVersion', Value: '7' },
            ],
          },
          Period: 60,
          Stat: 'Sum',
        },
      }),
      expect.objectContaining({ Id: 'invocations' }),
    ]);
  });

  it('reads from the start of the minute the canary began: older points are not counted', async () => {
    const since = Date.now();
    aws.metrics.push({ metricName: 'Errors', dimensions: canaryDimensions, value: 5, timestamp: since - 3_600_000 });
    aws.metrics.set({ metricName: 'Invocations', dimensions: canaryDimensions, value: 9 });
    expect(await readVersionCounts(client(), of, since)).toEqual({ errors: 0, invocations: 9 });
  });

  it('AccessDenied is one AWS error line naming cloudwatch:GetMetricData (exit 6)', async () => {
    aws.deny('GetMetricData');
    const error = await readVersionCounts(client(), of, Date.now()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(ExitCode.awsError);
    expect((error as UserError).message).toMatch(/^GetMetricData AWS\/Lambda metrics-fn:live failed: AccessDenied/);
    expect((error as UserError).hint).toBe('grant cloudwatch:GetMetricData to the identity tslambda runs as');
  });
});

describe('deploy --dry-run with --canary', () => {
  it('plans the smoke test on the version before any traffic reaches it, then the canary, and changes nothing', async () => {
    aws.lambda.addFunction({ name: 'metrics-fn' });
    aws.ecr.addRepository('metrics-fn');
    const cwd = await makeProject({
      'lambda.config.json': JSON.stringify({ functionName: 'metrics-fn', alias: 'live' }),
    });
    const args = ['deploy', '--dry-run', '--json', '--canary', '10%', '--bake', '90s', '--max-error-rate', '1%'];
    const result = await runCli([...args, '--smoke', '{}'], { cwd, env: aws.env });
    expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
    expect((JSON.parse(result.stdout) as { actions: string[] }).actions.slice(3)).toEqual([
      'publish a version',
      'invoke it once with the smoke event; roll back if it fails',
      'route 10% of alias live to it, watch its errors for 90s; promote it to 100%, or roll back above 1% errors',
    ]);
    expect(aws.operations()).toEqual(['GetFunction', 'DescribeRepositories']);
  });
});
