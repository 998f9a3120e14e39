// CloudWatch metrics of one version behind a weighted alias: its Errors and Invocations since a moment, via GetMetricData.
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { AWS_TIMEOUTS, sdkSettings } from './clients.js';
import { awsCall } from './errors.js';

/** Lambda's metrics are 1-minute sums; a finer period returns nothing more. */
const PERIOD_SECONDS = 60;

export interface VersionCounts {
  errors: number;
  invocations: number;
}

/** Which invocations: the alias's traffic that Lambda ran on `version` (Resource `name:alias`, ExecutedVersion). */
export interface AliasVersion {
  functionName: string;
  alias: string;
  version: string;
}

export function createMetricsClient(target: { env: NodeJS.ProcessEnv; region?: string; profile?: string }) {
  return new CloudWatchClient({
    ...sdkSettings(target, 'CLOUDWATCH'),
    maxAttempts: AWS_TIMEOUTS.maxAttempts,
    requestHandler: {
      connectionTimeout: AWS_TIMEOUTS.connectMs,
      requestTimeout: AWS_TIMEOUTS.requestMs,
      throwOnRequestTimeout: true,
    },
  });
}

function sumQuery(id: string, metricName: 'Errors' | 'Invocations', of: AliasVersion): MetricDataQuery {
  return {
    Id: id,
    ReturnData: true,
    MetricStat: {
      Stat: 'Sum',
      Period: PERIOD_SECONDS,
      Metric: {
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Dimensions: [
          { Name: 'FunctionName', Value: of.functionName },
          { Name: 'Resource', Value: `${of.functionName}:${of.alias}` },
          { Name: 'ExecutedVersion', Value: of.version },
        ],
      },
    },
  };
}

/**
 * Errors and Invocations of `of` from `sinceMs` (rounded down to its minute, as the sums are per minute) to now:
 * one GetMetricData call asking for two metrics, following NextToken.
 */
export async function readVersionCounts(
  client: CloudWatchClient,
  of: AliasVersion,
  sinceMs: number,
  signal?: AbortSignal,
): Promise<VersionCounts> {
  const minute = PERIOD_SECONDS * 1000;
  const start = new Date(Math.floor(sinceMs / minute) * minute);
  const end = new Date(Math.ceil((Date.now() + 1) / minute) * minute);
  const counts: VersionCounts = { errors: 0, invocations: 0 };
  let nextToken: string | undefined;
  do {
    const answer = await awsCall(`GetMetricData AWS/Lambda ${of.functionName}:${of.alias}`, () =>
      client.send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: end,
          NextToken: nextToken,
          MetricDataQueries: [sumQuery('errors', 'Errors', of), sumQuery('invocations', 'Invocations', of)],
        }),
        { abortSignal: signal ? AbortSignal.any([signal, AbortSignal.timeout(AWS_TIMEOUTS.deadlineMs)]) : undefined },
      ),
    );
    for (const result of answer.MetricDataResults ?? []) {
      const sum = (result.Values ?? []).reduce((total, value) => total + value, 0);
      if (result.Id === 'errors') counts.errors += sum;
      else if (result.Id === 'invocations') counts.invocations += sum;
    }
    nextToken = answer.NextToken;
  } while (nextToken);
  return counts;
}
