// The wire shapes shared by the fake services: recorded calls, AWS errors, and how each protocol writes them.
import type { ServerResponse } from 'node:http';

export interface RecordedCall {
  service: 'ecr' | 'lambda' | 'logs' | 'cloudwatch' | 's3' | 'codebuild';
  operation: string;
  /** The decoded input: JSON body merged with path parameters and query. */
  input: Record<string, unknown>;
  status: number;
  errorCode?: string;
  /** The (account, region) pair the request was signed for. */
  region: string;
  accountId: string;
}

/** An error AWS would answer with; the protocol decides how it is written on the wire. */
export class AwsFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface Reply {
  status: number;
  body: unknown;
}

/** JSON 1.1 (ECR): errors carry `__type` and a lower-case `message`, always with status 400 for client faults. */
export function writeJson11(res: ServerResponse, reply: Reply | AwsFault): void {
  const isFault = reply instanceof AwsFault;
  const status = isFault ? reply.status : reply.status;
  const body = isFault ? { __type: reply.code, message: reply.message, ...reply.extra } : reply.body;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
    ...(isFault ? reply.headers : {}),
  });
  res.end(text);
}

/** REST JSON (Lambda): the error code travels in `x-amzn-errortype`, the body has `Type` and `Message`. */
export function writeRestJson(res: ServerResponse, reply: Reply | AwsFault): void {
  const isFault = reply instanceof AwsFault;
  const body = isFault
    ? { Type: reply.status >= 500 ? 'Service' : 'User', Message: reply.message, ...reply.extra }
    : reply.body;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
    ...(isFault
      ? {
          'x-amzn-errortype': `${reply.code}:http://internal.amazon.com/coral/com.amazonaws.awsgatewaylambda/`,
          ...reply.headers,
        }
      : {}),
  });
  res.end(text);
}
