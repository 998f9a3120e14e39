// The Lambda Invoke API (2015-03-31) on localhost for `invoke-local --serve`, so the AWS CLI and SDKs can
// call the local function with --endpoint-url: invocation types, log tails, client context, function errors.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EnvironmentInvokeOptions, Invoker } from '../execution/invoker.js';
import { answerClientErrors, closeServer, drain, headerValue as header, listen, readBody, sendJson } from './http.js';
import { answerStreamingInvoke } from './invoke-stream.js';
import {
  InvocationType,
  InvokeHeader,
  LATEST_VERSION,
  MAX_PAYLOAD_BYTES,
  invokePath,
  streamingInvokePath,
} from './protocol.js';

const INVOCATION_TYPES: ReadonlySet<string> = new Set(Object.values(InvocationType));

export interface InvokeServerOptions {
  host?: string;
  port?: number;
  functionName: string;
  invoke: Invoker['invoke'];
  /** Called when an asynchronous (Event) invocation fails to run at all. */
  onBackgroundError?: (error: unknown) => void;
}

export interface InvokeServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Names a caller may use for the local function: its name, `function` (as AWS's emulator), its ARN, with a qualifier. */
export function namesFunction(requested: string, functionName: string): boolean {
  const arn = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:(.+)$/.exec(requested);
  const name = (arn ? arn[1] : requested).split(':')[0];
  return name === functionName || name === 'function';
}

export async function startInvokeServer(options: InvokeServerOptions): Promise<InvokeServer> {
  const server: Server = createServer({ requestTimeout: 0 }, (req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'ServiceException', String(error));
      else res.destroy();
    });
  });
  answerClientErrors(server);
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () => closeServer(server),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: InvokeServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const streaming = streamingInvokePath.exec(url.pathname);
  const match = streaming ?? invokePath.exec(url.pathname);
  if (!match || req.method !== 'POST') {
    drain(req);
    return sendError(res, 404, 'UnknownOperationException', `no such operation: ${req.method} ${url.pathname}`);
  }
  const requested = decodeURIComponent(match[1]);
  if (!namesFunction(requested, options.functionName)) {
    drain(req);
    return sendError(
      res,
      404,
      'ResourceNotFoundException',
      `Function not found: ${requested} (this endpoint serves ${options.functionName})`,
    );
  }
  const body = await readBody(req, MAX_PAYLOAD_BYTES);
  if (body === 'tooLarge')
    return sendError(
      res,
      413,
      'RequestTooLargeException',
      `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
    );
  if (body === 'aborted') return;

  const invocationType = header(req, InvokeHeader.invocationType) ?? InvocationType.requestResponse;
  if (streaming && invocationType === InvocationType.event) {
    return sendError(
      res,
      400,
      'InvalidParameterValueException',
      'InvokeWithResponseStream takes X-Amz-Invocation-Type RequestResponse or DryRun, not Event',
    );
  }
  if (!INVOCATION_TYPES.has(invocationType)) {
    return sendError(
      res,
      400,
      'InvalidParameterValueException',
      `invalid X-Amz-Invocation-Type: ${invocationType} (expected RequestResponse, Event or DryRun)`,
    );
  }
  const payload = body.length === 0 ? Buffer.from('{}') : body;
  try {
    JSON.parse(payload.toString('utf8'));
  } catch (error) {
    return sendError(
      res,
      400,
      'InvalidRequestContentException',
      `Could not parse request body into json: ${(error as Error).message}`,
    );
  }
  const clientContext = decodeClientContext(header(req, InvokeHeader.clientContext));
  if (clientContext instanceof Error)
    return sendError(res, 400, 'InvalidRequestContentException', clientContext.message);

  if (invocationType === InvocationType.dryRun) {
    res.writeHead(204, { [InvokeHeader.executedVersion]: LATEST_VERSION });
    return void res.end();
  }
  const tail = header(req, InvokeHeader.logType) === 'Tail';
  const invokeOptions: EnvironmentInvokeOptions = {
    ...(clientContext === undefined ? {} : { clientContext }),
    ...(tail ? { completeLogs: true } : {}),
  };
  if (streaming) return answerStreamingInvoke(res, options.invoke, payload, { ...invokeOptions, tail });
  if (invocationType === InvocationType.event) {
    options.invoke(payload, invokeOptions).catch((error: unknown) => options.onBackgroundError?.(error));
    res.writeHead(202, { 'content-length': 0 });
    return void res.end();
  }

  const result = await options.invoke(payload, invokeOptions);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': result.payload.length,
    [InvokeHeader.executedVersion]: LATEST_VERSION,
    [InvokeHeader.requestId]: result.requestId,
  };
  // Lambda reports every error a runtime or the platform produced as "Unhandled".
  if (result.outcome !== 'success') headers[InvokeHeader.functionError] = 'Unhandled';
  if (tail) headers[InvokeHeader.logResult] = result.logTail.toString('base64');
  res.writeHead(200, headers);
  res.end(result.payload);
}

/** X-Amz-Client-Context is base64 of a JSON object; the runtime receives the JSON itself. */
function decodeClientContext(encoded: string | undefined): string | Error | undefined {
  if (encoded === undefined || encoded === '') return undefined;
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return text;
  } catch {
    // reported below
  }
  return new Error('Client context must be a valid Base64-encoded JSON object.');
}

/** AWS's REST-JSON error shape: the type in x-amzn-ErrorType, the message in the body. */
function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { Type: 'User', message }, { [InvokeHeader.errorType]: type });
}
