// Fake Lambda's Invoke: runs the function's image (pulled from the test registry) in the real engine, once per call,
// behind a minimal Runtime API of its own, and writes START/END/REPORT and the output to the function's log group.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';

export interface InvokeRequest {
  functionName: string;
  functionArn: string;
  version: string;
  imageUri: string;
  /** ImageConfig.Command: replaces the image's CMD (the handler), as Lambda does. */
  command?: string[];
  timeoutSeconds: number;
  memorySize: number;
  region: string;
  payload: Buffer;
}

export interface InvokeOutcome {
  /** undefined on success; `Unhandled` for errors, timeouts and init failures, as Lambda reports them. */
  functionError?: 'Unhandled';
  payload: Buffer;
  /** Every line the invocation logged, START to REPORT. */
  logLines: string[];
  logStreamName: string;
}

type Settled =
  | { kind: 'response'; body: Buffer }
  | { kind: 'error'; body: Buffer }
  | { kind: 'init'; body: Buffer }
  | { kind: 'exit'; code: number }
  | { kind: 'timeout' };

const RUNTIME = '/2018-06-01/runtime';
const INIT_LIMIT_SECONDS = 10;
const read = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });

export async function runInvocation(
  docker: Docker,
  registry: { host: string; username: string; password: string },
  request: InvokeRequest,
  /** Aborted when the fake closes: the invocation ends as a timeout and its container is removed. */
  signal?: AbortSignal,
): Promise<InvokeOutcome> {
  await ensureImage(docker, registry, request.imageUri);
  const requestId = crypto.randomUUID();
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const logStreamName = `${day}/[${request.version}]${randomBytes(16).toString('hex')}`;
  let settle!: (value: Settled) => void;
  const settled = new Promise<Settled>((resolve) => (settle = resolve));
  // Lambda gives a function's init its own 10 s; its timeout runs from the moment the event is handed out.
  let handedOutAt: number | undefined;
  let timer = setTimeout(() => settle({ kind: 'timeout' }), INIT_LIMIT_SECONDS * 1000);
  const server = createServer(async (req, res) => {
    const body = await read(req);
    const url = req.url ?? '';
    if (req.method === 'GET' && url === `${RUNTIME}/invocation/next` && handedOutAt === undefined) {
      handedOutAt = performance.now();
      clearTimeout(timer);
      timer = setTimeout(() => settle({ kind: 'timeout' }), request.timeoutSeconds * 1000);
      res.writeHead(200, {
        'content-type': 'application/json',
        'lambda-runtime-aws-request-id': requestId,
        'lambda-runtime-deadline-ms': String(Date.now() + request.timeoutSeconds * 1000),
        'lambda-runtime-invoked-function-arn': request.functionArn,
        'lambda-runtime-trace-id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Sampled=0`,
      });
      res.end(request.payload);
      return;
    }
    if (req.method === 'GET' && url === `${RUNTIME}/invocation/next`) return; // the next event never comes: one call per environment
    const kind =
      url === `${RUNTIME}/init/error`
        ? 'init'
        : url === `${RUNTIME}/invocation/${requestId}/response`
          ? 'response'
          : url === `${RUNTIME}/invocation/${requestId}/error`
            ? 'error'
            : undefined;
    res
      .writeHead(kind ? 202 : 404, { 'content-type': 'application/json' })
      .end(kind ? '{"status":"OK"}' : '{"errorType":"InvalidRequestID"}');
    if (kind) settle({ kind, body });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const lines: string[] = [];
  const started = performance.now();
  const container = await docker.createContainer({
    Image: request.imageUri,
    ...(request.command ? { Cmd: request.command } : {}),
    Env: Object.entries({
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${(server.address() as AddressInfo).port}`,
      AWS_LAMBDA_FUNCTION_NAME: request.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: request.version,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(request.memorySize),
      AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
      AWS_REGION: request.region,
    }).map(([k, v]) => `${k}=${v}`),
    HostConfig: { NetworkMode: 'host' },
  });
  try {
    // Attached before start, so that nothing the runtime writes early is missed.
    const attached = await container.attach({ stream: true, stdout: true, stderr: true });
    const output = new PassThrough();
    docker.modem.demuxStream(attached, output, output);
    await container.start();
    let partial = '';
    output.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop()!;
      lines.push(...parts);
    });
    void container.wait().then(
      (r: { StatusCode: number }) => settle({ kind: 'exit', code: r.StatusCode }),
      () => undefined,
    );
    if (signal?.aborted) settle({ kind: 'timeout' });
    signal?.addEventListener('abort', () => settle({ kind: 'timeout' }), { once: true });
    const outcome = await settled;
    clearTimeout(timer);
    await new Promise((resolve) => setTimeout(resolve, 250)); // the last lines the runtime wrote
    const ended = performance.now();
    const took = (ended - (handedOutAt ?? started)).toFixed(2);
    // As Lambda reports a cold start: the init phase apart from the invocation's duration.
    const init = handedOutAt === undefined ? '' : `\tInit Duration: ${(handedOutAt - started).toFixed(2)} ms`;
    const logLines = [
      `START RequestId: ${requestId} Version: ${request.version}`,
      ...lines,
      `END RequestId: ${requestId}`,
      `REPORT RequestId: ${requestId}\tDuration: ${took} ms\tBilled Duration: ${Math.ceil(Number(took))} ms\tMemory Size: ${request.memorySize} MB\tMax Memory Used: 64 MB${init}`,
    ];
    return { ...answer(outcome, requestId, request.timeoutSeconds), logLines, logStreamName };
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    server.close();
    await container.remove({ force: true }).catch(() => undefined);
  }
}

function answer(
  outcome: Settled,
  requestId: string,
  timeoutSeconds: number,
): { functionError?: 'Unhandled'; payload: Buffer } {
  const error = (errorType: string, errorMessage: string) => ({
    functionError: 'Unhandled' as const,
    payload: Buffer.from(JSON.stringify({ errorType, errorMessage })),
  });
  switch (outcome.kind) {
    case 'response':
      return { payload: outcome.body };
    case 'error':
    case 'init':
      return { functionError: 'Unhandled', payload: outcome.body };
    case 'exit':
      return error(
        'Runtime.ExitError',
        `RequestId: ${requestId} Error: Runtime exited with error: exit status ${outcome.code}`,
      );
    case 'timeout':
      return error(
        'Sandbox.Timedout',
        `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
      );
  }
}

async function ensureImage(
  docker: Docker,
  registry: { host: string; username: string; password: string },
  imageUri: string,
): Promise<void> {
  if (
    await docker
      .getImage(imageUri)
      .inspect()
      .then(
        () => true,
        () => false,
      )
  )
    return;
  const stream = await docker.pull(imageUri, {
    authconfig: { username: registry.username, password: registry.password, serveraddress: registry.host },
  });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve())),
  );
}
