// The fake CloudWatch metrics service: GetMetricData over AWS JSON 1.0 (query-compatible), as @aws-sdk/client-cloudwatch
// sends it, over data points that tests push while a command runs and that the fake Lambda's Invoke records.
import type { ServerResponse } from 'node:http';
import { AwsFault, type Reply } from './protocol.js';

/** The X-Amz-Target prefix of every CloudWatch operation (its Smithy service name). */
export const METRICS_TARGET_PREFIX = 'GraniteServiceVersion20100801.';

export interface MetricPoint {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** Epoch milliseconds. */
  timestamp: number;
  value: number;
}

export interface MetricInput {
  namespace?: string;
  metricName: string;
  dimensions: Record<string, string>;
  value?: number;
  timestamp?: number;
}

interface MetricStat {
  Metric?: { Namespace?: string; MetricName?: string; Dimensions?: Array<{ Name: string; Value: string }> };
  Period?: number;
  Stat?: string;
}

const sameDimensions = (a: Record<string, string>, b: Record<string, string>): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
};

const STATS: Record<string, (values: number[]) => number> = {
  Sum: (values) => values.reduce((a, b) => a + b, 0),
  SampleCount: (values) => values.length,
  Average: (values) => values.reduce((a, b) => a + b, 0) / values.length,
  Minimum: (values) => Math.min(...values),
  Maximum: (values) => Math.max(...values),
};

export class FakeMetrics {
  static readonly operations = ['GetMetricData'];
  readonly points: MetricPoint[] = [];

  /** Adds one data point (value 1, now, in AWS/Lambda unless told otherwise), as a service publishing it would. */
  push(metric: MetricInput): void {
    this.points.push({
      namespace: metric.namespace ?? 'AWS/Lambda',
      metricName: metric.metricName,
      dimensions: { ...metric.dimensions },
      timestamp: metric.timestamp ?? Date.now(),
      value: metric.value ?? 1,
    });
  }

  /** Replaces every point of this metric and dimension set by one point now holding `value`. */
  set(metric: MetricInput & { value: number }): void {
    const namespace = metric.namespace ?? 'AWS/Lambda';
    for (let i = this.points.length - 1; i >= 0; i--) {
      const point = this.points[i]!;
      if (
        point.namespace === namespace &&
        point.metricName === metric.metricName &&
        sameDimensions(point.dimensions, metric.dimensions)
      )
        this.points.splice(i, 1);
    }
    this.push(metric);
  }

  /**
   * What Lambda publishes for one invocation: Invocations 1 and Errors 0 or 1 under FunctionName, under Resource
   * (`name:qualifier`) when qualified, and, through an alias, under ExecutedVersion too.
   */
  recordInvocation(invocation: { functionName: string; qualifier?: string; version: string; error: boolean }): void {
    const { functionName, qualifier, version } = invocation;
    const sets: Array<Record<string, string>> = [{ FunctionName: functionName }];
    if (qualifier) {
      const resource = { FunctionName: functionName, Resource: `${functionName}:${qualifier}` };
      sets.push(resource);
      if (qualifier !== version && qualifier !== '$LATEST') sets.push({ ...resource, ExecutedVersion: version });
    }
    const timestamp = Date.now();
    for (const dimensions of sets) {
      this.push({ metricName: 'Invocations', dimensions, timestamp, value: 1 });
      this.push({ metricName: 'Errors', dimensions, timestamp, value: invocation.error ? 1 : 0 });
    }
  }

  reset(): void {
    this.points.length = 0;
  }

  /** GetMetricData with MetricStat queries: exact dimension match, one value per period, newest first. */
  getMetricData(input: Record<string, unknown>): Reply {
    const queries = input.MetricDataQueries as Array<{ Id?: string; MetricStat?: MetricStat; Expression?: string }>;
    const start = Number(input.StartTime) * 1000;
    const end = Number(input.EndTime) * 1000;
    if (!Array.isArray(queries) || queries.length === 0)
      throw validation('The parameter MetricDataQueries must be specified.');
    if (!(start < end)) throw validation('The parameter StartTime must be less than the parameter EndTime.');
    const results = queries.map((query) => {
      if (!query.Id || !/^[a-z][a-zA-Z0-9_]*$/.test(query.Id))
        throw validation(`Invalid Id: ${String(query.Id)}; it must start with a lower-case letter.`);
      if (query.Expression !== undefined) throw validation('the fake models MetricStat queries only');
      const stat = query.MetricStat;
      const metric = stat?.Metric;
      const reduce = STATS[stat?.Stat ?? ''];
      const period = Number(stat?.Period);
      if (!metric?.Namespace || !metric.MetricName || !reduce || !(period > 0 && period % 60 === 0))
        throw validation(`The MetricStat of query ${query.Id} needs Metric, a Stat and a Period multiple of 60.`);
      const dimensions = Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
      const buckets = new Map<number, number[]>();
      for (const point of this.points) {
        if (point.namespace !== metric.Namespace || point.metricName !== metric.MetricName) continue;
        if (!sameDimensions(point.dimensions, dimensions) || point.timestamp < start || point.timestamp >= end)
          continue;
        const bucket = Math.floor(point.timestamp / (period * 1000)) * period;
        buckets.set(bucket, [...(buckets.get(bucket) ?? []), point.value]);
      }
      const times = [...buckets.keys()].sort((a, b) => b - a);
      return {
        Id: query.Id,
        Label: metric.MetricName,
        Timestamps: times,
        Values: times.map((time) => reduce(buckets.get(time)!)),
        StatusCode: 'Complete',
      };
    });
    return { status: 200, body: { MetricDataResults: results, Messages: [] } };
  }
}

function validation(message: string): AwsFault {
  return new AwsFault(400, 'InvalidParameterValueException', message);
}

/**
 * AWS JSON 1.0 in CloudWatch's query-compatible form: errors carry the shape id in `__type` and the query code
 * (`InvalidParameterValue`, `AccessDenied`) in `x-amzn-query-error`, which the SDK names the error by.
 */
export function writeJson10(res: ServerResponse, reply: Reply | AwsFault): void {
  const isFault = reply instanceof AwsFault;
  const text = JSON.stringify(
    isFault ? { __type: `com.amazonaws.cloudwatch#${reply.code}`, message: reply.message } : reply.body,
  );
  res.writeHead(reply.status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
    ...(isFault
      ? {
          'x-amzn-query-error': `${reply.code.replace(/Exception$/, '')};${reply.status >= 500 ? 'Receiver' : 'Sender'}`,
        }
      : {}),
  });
  res.end(text);
}
