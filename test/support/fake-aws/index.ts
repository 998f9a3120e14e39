// Starts the fake AWS endpoint (ECR + Lambda over real HTTP on loopback) that the real SDK clients talk to.
// One endpoint answers for several accounts and regions, as AWS's do for one user: the signature's access
// key picks the account and its credential scope the region, and each (account, region) has its own state.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBuildServices } from './build-services.js';
import type { FakeCodeBuild } from './codebuild.js';
import { ECR_TARGET_PREFIX, FakeEcr } from './ecr.js';
import { type CodeIdentity, FakeLambda } from './lambda.js';
import { FakeLogs, LOGS_TARGET_PREFIX } from './logs.js';
import { FakeMetrics, METRICS_TARGET_PREFIX, writeJson10 } from './metrics.js';
import { runInvocation } from './invoke.js';
import type { FakeS3 } from './s3.js';
import { FakeLayers, LAYER_CONTENT_PREFIX } from './layers.js';
import type Docker from 'dockerode';
import { AwsFault, type RecordedCall, type Reply, writeJson11, writeRestJson } from './protocol.js';
import { type TestCredentials, verifySignature } from './sigv4.js';

export type { RecordedCall } from './protocol.js';
export type { CodeIdentity, FakeFunction, FunctionSeed, UpdateOutcome } from './lambda.js';
export type { FakeLogEvent } from './logs.js';

export interface FakeAwsOptions {
  region?: string;
  accountId?: string;
  credentials?: TestCredentials;
  /** The test registry the repositories live in: host:port, and the password its tokens carry. */
  registry: { host: string; password: string };
  /**
   * How Lambda reports image code: `aws` (default) or `emulator`, as AWS emulators that hash the URI do.
   * FAKE_AWS_CODE_IDENTITY=emulator picks it for a whole run, to try suites against it by hand; tests that
   * assert AWS's own ResolvedImageUri/CodeSha256 (push-deploy, aws-modules) then fail, as they should.
   */
  codeIdentity?: CodeIdentity;
  /** With an engine, Invoke runs the function's image from the registry (user AWS, the registry password) for real. */
  docker?: Docker;
  /**
   * More (account, region) pairs this endpoint answers for, beside the default one. Each gets its own functions,
   * repositories and logs; `registry` defaults to the default one's (ECR of another region may still be
   * another registry: give it one to see pushes land per region). `credentials` default to the default account's
   * when `accountId` is the default one; another account needs credentials of its own.
   */
  partitions?: PartitionOptions[];
}

export interface PartitionOptions {
  region: string;
  accountId?: string;
  credentials?: TestCredentials;
  registry?: { host: string; password: string };
}

/** The state of one (account, region) pair, and the environment that points a client at it. */
export interface FakePartition {
  region: string;
  accountId: string;
  credentials: TestCredentials;
  registry: { host: string; password: string };
  ecr: FakeEcr;
  lambda: FakeLambda;
  logs: FakeLogs;
  metrics: FakeMetrics;
  layers: FakeLayers;
  env: Record<string, string>;
}

export interface FakeAws {
  /** http://127.0.0.1:<port>, for AWS_ENDPOINT_URL or the client `endpoint` option. */
  endpoint: string;
  /** The default partition's region, account, credentials and services follow. */
  region: string;
  accountId: string;
  credentials: TestCredentials;
  ecr: FakeEcr;
  lambda: FakeLambda;
  /** Lambda layers: `layers.publish(name, files)` returns a version ARN that GetLayerVersion serves. */
  layers: FakeLayers;
  /** CloudWatch Logs: tests append events with `logs.append(group, stream, messages)` while a command runs. */
  logs: FakeLogs;
  /** CloudWatch metrics: tests `metrics.push(…)`/`set(…)` while a command runs; Invoke records Lambda's own. */
  metrics: FakeMetrics;
  /** Remote builds: S3 source bundles and CodeBuild builds that really run (build-services.ts). */
  s3: FakeS3;
  codebuild: FakeCodeBuild;
  /** Every request that reached an operation, in order (including the ones answered with an error). */
  calls: RecordedCall[];
  /** Requests the fake does not know or whose signature failed: any entry means the test found a bug. */
  unexpected: string[];
  /** Environment variables that point an SDK client (or the CLI) at this fake. */
  env: Record<string, string>;
  /** Every (account, region) pair, the default one first. */
  partitions: FakePartition[];
  /** The pair of `region` in `accountId` (the default account when omitted); throws when it was not started. */
  partition(region: string, accountId?: string): FakePartition;
  operations(service?: Service): string[];
  /** The next `times` calls of `operation` answer 429 TooManyRequestsException (Lambda) / ThrottlingException (ECR). */
  throttle(operation: string, times?: number): void;
  /** Calls of `operation` answer AccessDenied naming the missing permission. */
  deny(operation: string): void;
  /** Forgets functions, repositories, calls, injected faults and behaviour changes: a fresh account. */
  reset(): void;
  close(): Promise<void>;
}

type Service = RecordedCall['service'];

export const TEST_CREDENTIALS: TestCredentials = {
  accessKeyId: 'AKIAFAKETESTKEY00001',
  secretAccessKey: 'fake/secret/key+for+tests/only0000000000',
};

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body is not a JSON object');
  return parsed as Record<string, unknown>;
}

type PartitionState = Omit<FakePartition, 'env'>;

function createPartition(spec: Required<PartitionOptions>, codeIdentity: CodeIdentity): PartitionState {
  const { region, accountId, credentials, registry } = spec;
  return {
    region,
    accountId,
    credentials,
    registry,
    ecr: new FakeEcr({
      region,
      accountId,
      registryHost: registry.host,
      proxyEndpoint: `http://${registry.host}`,
      registryPassword: registry.password,
    }),
    lambda: new FakeLambda({ region, accountId, codeIdentity }),
    logs: new FakeLogs({ region, accountId }),
    metrics: new FakeMetrics(),
    layers: new FakeLayers({ region, accountId }),
  };
}

/** The default pair first, then the others with their defaults filled in; a pair given twice is a test bug. */
function partitionSpecs(options: FakeAwsOptions): Required<PartitionOptions>[] {
  const first: Required<PartitionOptions> = {
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '123456789012',
    credentials: options.credentials ?? TEST_CREDENTIALS,
    registry: options.registry,
  };
  const specs = [first];
  for (const more of options.partitions ?? []) {
    const accountId = more.accountId ?? first.accountId;
    const sameAccount = specs.find((spec) => spec.accountId === accountId);
    const credentials = more.credentials ?? sameAccount?.credentials;
    if (!credentials) throw new Error(`fake AWS: account ${accountId} needs credentials of its own`);
    if (specs.some((spec) => spec.accountId === accountId && spec.region === more.region))
      throw new Error(`fake AWS: ${accountId}/${more.region} is given twice`);
    if (specs.some((spec) => spec.accountId !== accountId && spec.credentials.accessKeyId === credentials.accessKeyId))
      throw new Error(`fake AWS: access key ${credentials.accessKeyId} belongs to two accounts`);
    specs.push({ region: more.region, accountId, credentials, registry: more.registry ?? first.registry });
  }
  return specs;
}

export async function startFakeAws(options: FakeAwsOptions): Promise<FakeAws> {
  const codeIdentity = options.codeIdentity ?? (process.env.FAKE_AWS_CODE_IDENTITY === 'emulator' ? 'emulator' : 'aws');
  const states = partitionSpecs(options).map((spec) => createPartition(spec, codeIdentity));
  const { region, accountId, credentials, ecr, lambda, logs, metrics, layers } = states[0]!;
  const allCredentials = [
    ...new Map(states.map((state) => [state.credentials.accessKeyId, state.credentials])).values(),
  ];
  const calls: RecordedCall[] = [];
  const unexpected: string[] = [];
  const throttles = new Map<string, number>();
  const denied = new Set<string>();
  let endpoint = '';
  const builds = createBuildServices({
    region,
    accountId,
    credentials,
    logs,
    calls,
    unexpected,
    endpoint: () => endpoint,
  });

  /** Injected faults apply before the operation runs, as AWS's front door would. */
  function injectedFault(service: Service, operation: string, accountId: string): AwsFault | undefined {
    const left = throttles.get(operation) ?? 0;
    if (left > 0) {
      throttles.set(operation, left - 1);
      return service === 'lambda'
        ? new AwsFault(
            429,
            'TooManyRequestsException',
            'Rate exceeded',
            { Reason: 'CallerRateLimitExceeded', retryAfterSeconds: '1' },
            { 'retry-after': '1' },
          )
        : new AwsFault(400, 'ThrottlingException', 'Rate exceeded');
    }
    if (denied.has(operation)) {
      const message = `User: arn:aws:iam::${accountId}:user/tslambda-test is not authorized to perform: ${service}:${operation} on resource: * because no identity-based policy allows the ${service}:${operation} action`;
      return service === 'lambda'
        ? new AwsFault(403, 'AccessDeniedException', message)
        : new AwsFault(400, 'AccessDeniedException', message);
    }
    return undefined;
  }

  /** `run` answers with a Reply, or writes a stream itself and returns undefined (StartLiveTail). */
  function answer(
    at: PartitionState,
    service: Service,
    operation: string,
    input: Record<string, unknown>,
    run: () => Reply | undefined,
    res: ServerResponse,
  ): void {
    let reply: Reply | AwsFault | undefined;
    try {
      reply = injectedFault(service, operation, at.accountId) ?? run();
    } catch (error) {
      if (!(error instanceof AwsFault)) throw error;
      reply = error;
    }
    calls.push({
      service,
      operation,
      input,
      status: reply?.status ?? 200,
      errorCode: reply instanceof AwsFault ? reply.code : undefined,
      region: at.region,
      accountId: at.accountId,
    });
    if (reply)
      (service === 'lambda' ? writeRestJson : service === 'cloudwatch' ? writeJson10 : writeJson11)(res, reply);
  }

  function handleLogs(
    at: PartitionState,
    req: IncomingMessage,
    res: ServerResponse,
    operation: string,
    body: Buffer,
  ): void {
    if (req.method !== 'POST' || req.url !== '/' || req.headers['content-type'] !== 'application/x-amz-json-1.1') {
      unexpected.push(
        `Logs ${operation}: ${req.method} ${req.url} with content-type ${String(req.headers['content-type'])}`,
      );
      writeJson11(
        res,
        new AwsFault(400, 'SerializationException', 'Start of structure or map found where not expected.'),
      );
      return;
    }
    if (!FakeLogs.operations.includes(operation)) {
      unexpected.push(`Logs ${operation} is not modelled by the fake`);
      writeJson11(res, new AwsFault(400, 'UnknownOperationException', ''));
      return;
    }
    const input = parseJson(body);
    answer(
      at,
      'logs',
      operation,
      input,
      () => (operation === 'StartLiveTail' ? void at.logs.startLiveTail(input, res) : at.logs.filterLogEvents(input)),
      res,
    );
  }

  /** Invoke: the payload is the raw body; the answer is the function's own bytes, errors flagged by header. */
  /** Invocations in flight, so that close() ends them instead of leaving their containers behind. */
  const closing = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  function track<T>(running: Promise<T>): Promise<T> {
    inFlight.add(running);
    return running.finally(() => inFlight.delete(running));
  }

  async function invoke(
    at: PartitionState,
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    qualifier: string | null,
    payload: Buffer,
  ): Promise<void> {
    const input = { FunctionName: name, Qualifier: qualifier ?? undefined, Payload: payload.toString() };
    let outcome: Awaited<ReturnType<typeof runInvocation>> | undefined;
    let version = '$LATEST';
    try {
      const fault = injectedFault('lambda', 'Invoke', at.accountId);
      if (fault) throw fault;
      if (!options.docker)
        throw new AwsFault(
          400,
          'InvalidParameterValueException',
          'this fake AWS was started without an engine: pass `docker` to invoke',
        );
      const target = at.lambda.invokeTarget(name, qualifier);
      version = target.version;
      const config = target.fn.config as unknown as {
        Timeout: number;
        MemorySize: number;
        LoggingConfig: { LogGroup: string };
      };
      outcome = await track(
        runInvocation(
          options.docker,
          { host: at.registry.host, username: 'AWS', password: at.registry.password },
          {
            functionName: target.fn.config.FunctionName,
            functionArn: target.fn.config.FunctionArn,
            version,
            imageUri: target.imageUri,
            command: target.command,
            timeoutSeconds: Number(config.Timeout),
            memorySize: Number(config.MemorySize),
            region: at.region,
            payload,
          },
          closing.signal,
        ),
      );
      at.logs.append(
        config.LoggingConfig.LogGroup,
        outcome.logStreamName,
        outcome.logLines.map((line) => `${line}\n`),
      );
    } catch (error) {
      if (!(error instanceof AwsFault)) throw error;
      calls.push({
        service: 'lambda',
        operation: 'Invoke',
        input,
        status: error.status,
        errorCode: error.code,
        region: at.region,
        accountId: at.accountId,
      });
      writeRestJson(res, error);
      return;
    }
    calls.push({
      service: 'lambda',
      operation: 'Invoke',
      input,
      status: 200,
      errorCode: outcome.functionError,
      region: at.region,
      accountId: at.accountId,
    });
    at.metrics.recordInvocation({
      functionName: name,
      qualifier: qualifier ?? undefined,
      version,
      error: !!outcome.functionError,
    });
    const tail =
      req.headers['x-amz-log-type'] === 'Tail'
        ? {
            'x-amz-log-result': Buffer.from(outcome.logLines.join('\n') + '\n')
              .subarray(-4096)
              .toString('base64'),
          }
        : {};
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': outcome.payload.length,
      'x-amzn-requestid': crypto.randomUUID(),
      'x-amz-executed-version': version,
      ...(outcome.functionError ? { 'x-amz-function-error': outcome.functionError } : {}),
      ...tail,
    });
    res.end(outcome.payload);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (builds.route(req, res, body)) return;
    const url = req.url ?? '/';
    // A layer's Content.Location: presigned on AWS, so it carries no SigV4 header.
    const layerZip =
      req.method === 'GET' && url.startsWith(LAYER_CONTENT_PREFIX)
        ? states.map((state) => state.layers.content(url)).find(Boolean)
        : undefined;
    if (layerZip) return void res.writeHead(200, { 'content-type': 'application/zip' }).end(layerZip);
    const target = req.headers['x-amz-target'];
    const isLogs = typeof target === 'string' && target.startsWith(LOGS_TARGET_PREFIX);
    const isMetrics = typeof target === 'string' && target.startsWith(METRICS_TARGET_PREFIX);
    const isEcr = typeof target === 'string' && !isLogs && !isMetrics;
    const write = isMetrics ? writeJson10 : isEcr || isLogs ? writeJson11 : writeRestJson;
    const signature = verifySignature({ method: req.method ?? 'GET', url, headers: req.headers, body }, allCredentials);
    const expectedService = isMetrics ? 'monitoring' : isLogs ? 'logs' : isEcr ? 'ecr' : 'lambda';
    const at = signature.ok
      ? states.find(
          (state) => state.credentials.accessKeyId === signature.accessKeyId && state.region === signature.region,
        )
      : undefined;
    if (!signature.ok || signature.service !== expectedService || !at) {
      const regions = states
        .filter((state) => signature.ok && state.credentials.accessKeyId === signature.accessKeyId)
        .map((state) => state.region);
      const why = signature.ok
        ? `credential scope ${signature.region}/${signature.service}, expected ${regions.join('|')}/${expectedService}`
        : `${signature.code}: ${signature.message}`;
      unexpected.push(`${req.method} ${url}: signature rejected (${why})`);
      const code = signature.ok
        ? 'InvalidSignatureException'
        : signature.code === 'UnrecognizedClient'
          ? 'UnrecognizedClientException'
          : `${signature.code}Exception`;
      write(
        res,
        new AwsFault(
          isEcr || isLogs || isMetrics ? 400 : 403,
          code,
          signature.ok ? `Credential should be scoped to a valid region and service: ${why}` : signature.message,
        ),
      );
      return;
    }

    if (isLogs) {
      handleLogs(at, req, res, target.slice(LOGS_TARGET_PREFIX.length), body);
      return;
    }
    if (isMetrics) {
      const operation = target.slice(METRICS_TARGET_PREFIX.length);
      const known = FakeMetrics.operations.includes(operation);
      if (
        !known ||
        req.method !== 'POST' ||
        url !== '/' ||
        req.headers['content-type'] !== 'application/x-amz-json-1.0'
      ) {
        unexpected.push(
          `CloudWatch ${operation}: ${req.method} ${url} (${String(req.headers['content-type'])}) is not modelled`,
        );
        writeJson10(res, new AwsFault(400, known ? 'SerializationException' : 'UnknownOperationException', ''));
        return;
      }
      answer(at, 'cloudwatch', operation, parseJson(body), () => at.metrics.getMetricData(parseJson(body)), res);
      return;
    }
    if (isEcr) {
      const operation = target.startsWith(ECR_TARGET_PREFIX) ? target.slice(ECR_TARGET_PREFIX.length) : target;
      if (req.method !== 'POST' || url !== '/' || req.headers['content-type'] !== 'application/x-amz-json-1.1') {
        unexpected.push(
          `ECR ${operation}: ${req.method} ${url} with content-type ${String(req.headers['content-type'])}`,
        );
        writeJson11(
          res,
          new AwsFault(400, 'SerializationException', 'Start of structure or map found where not expected.'),
        );
        return;
      }
      const input = parseJson(body);
      if (!FakeEcr.operations.includes(operation)) {
        unexpected.push(`ECR ${operation} is not modelled by the fake`);
        writeJson11(res, new AwsFault(400, 'UnknownOperationException', ''));
        return;
      }
      answer(at, 'ecr', operation, input, () => at.ecr.handle(operation, input)!, res);
      return;
    }

    const [path, rawQuery = ''] = url.split('?', 2) as [string, string?];
    const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    const query = new URLSearchParams(rawQuery);
    if (
      req.method === 'POST' &&
      segments[1] === 'functions' &&
      segments[3] === 'invocations' &&
      segments.length === 4
    ) {
      await invoke(at, req, res, segments[2]!, query.get('Qualifier'), body);
      return;
    }
    const input = parseJson(body);
    const route =
      at.layers.handle(req.method ?? 'GET', segments) ?? at.lambda.handle(req.method ?? 'GET', segments, query, input);
    if (!route) {
      unexpected.push(`Lambda ${req.method} ${url} is not modelled by the fake`);
      writeRestJson(res, new AwsFault(404, 'UnknownOperationException', 'Unknown operation'));
      return;
    }
    const recorded = { ...input, ...Object.fromEntries(query), ...(segments[2] ? { FunctionName: segments[2] } : {}) };
    answer(at, 'lambda', route.operation, recorded, route.run, res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      unexpected.push(
        `${req.method} ${req.url}: the fake failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"message":"fake AWS internal error"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const partitions: FakePartition[] = states.map((state) => ({ ...state, env: clientEnv(endpoint, state) }));
  for (const state of states) state.layers.endpoint = endpoint;

  return {
    endpoint,
    region,
    accountId,
    credentials,
    ecr,
    lambda,
    layers,
    logs,
    metrics,
    s3: builds.s3,
    codebuild: builds.codebuild,
    calls,
    unexpected,
    env: partitions[0]!.env,
    partitions,
    partition(wanted, account = accountId) {
      const found = partitions.find((each) => each.region === wanted && each.accountId === account);
      if (!found) throw new Error(`fake AWS: no partition ${account}/${wanted} was started`);
      return found;
    },
    operations: (service) => calls.filter((call) => !service || call.service === service).map((call) => call.operation),
    throttle: (operation, times = 1) => void throttles.set(operation, (throttles.get(operation) ?? 0) + times),
    deny: (operation) => void denied.add(operation),
    reset() {
      calls.length = 0;
      unexpected.length = 0;
      throttles.clear();
      denied.clear();
      for (const state of states) {
        state.ecr.repositories.clear();
        state.lambda.reset();
        state.logs.reset();
        state.metrics.reset();
        state.layers.reset();
      }
      void builds.reset();
    },
    close: async () => {
      // Invocations still running (a client gone after Ctrl-C) end now and remove their containers.
      closing.abort();
      await Promise.allSettled(inFlight);
      await builds.reset();
      await new Promise<void>((resolve, reject) => {
        for (const state of states) state.logs.close();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}

/** Environment variables that point an SDK client (or the CLI) at one partition of the fake. */
function clientEnv(endpoint: string, at: PartitionState): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: at.region,
    AWS_ACCESS_KEY_ID: at.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: at.credentials.secretAccessKey,
    // Keep the SDK away from the developer's own profiles and the instance metadata service.
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
