// An HTTP request as the event API Gateway or a Function URL hands the function: payload format 2.0 (HTTP API and
// Function URLs) or 1.0 (REST API proxy integration). Shapes from AWS's docs: "Lambda function URLs: request
// payload" (docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html) and "Working with AWS Lambda proxy
// integrations for HTTP APIs" / "Set up Lambda proxy integrations in API Gateway" (apigateway developer guide).

import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';

export type HttpFormat = 'v1' | 'v2';

/** What the front read off the wire, before any mapping. */
export interface IncomingHttp {
  method: string;
  /** The request target as sent: path and query, still percent-encoded. */
  target: string;
  /** Node's rawHeaders: name, value, name, value… with the sender's spelling. */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /** Milliseconds since the epoch when the request arrived. */
  receivedAt: number;
}

export const LOCAL_ACCOUNT_ID = '000000000000';
const LOCAL_API_ID = 'local';
const V1_STAGE = 'local';

/** Bodies of these types reach the function as text; anything else is base64 (isBase64Encoded: true). */
const TEXT_TYPE =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql|yaml|x-yaml|ld\+json|problem\+json)|[^;]*\+(json|xml))/i;

export function isTextBody(
  contentType: string | undefined,
  contentEncoding: string | undefined,
  body: Buffer,
): boolean {
  if (contentEncoding !== undefined && contentEncoding !== 'identity') return false;
  if (contentType !== undefined) return TEXT_TYPE.test(contentType);
  return isUtf8(body);
}

export function requestEvent(format: HttpFormat, request: IncomingHttp, requestId = randomUUID()): object {
  return format === 'v2' ? eventV2(request, requestId) : eventV1(request, requestId);
}

interface Parts {
  rawPath: string;
  rawQuery: string;
  query: Array<[string, string]>;
  /** Lower-cased names, values in arrival order. */
  headers: Map<string, string[]>;
  encodedBody?: { body: string; isBase64Encoded: boolean };
}

function parts(request: IncomingHttp): Parts {
  const queryAt = request.target.indexOf('?');
  const rawPath = queryAt < 0 ? request.target : request.target.slice(0, queryAt);
  const rawQuery = queryAt < 0 ? '' : request.target.slice(queryAt + 1);
  const headers = new Map<string, string[]>();
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index]!.toLowerCase();
    const values = headers.get(name) ?? [];
    values.push(request.rawHeaders[index + 1]!);
    headers.set(name, values);
  }
  const text = isTextBody(headers.get('content-type')?.[0], headers.get('content-encoding')?.[0], request.body);
  return {
    rawPath: rawPath || '/',
    rawQuery,
    query: [...new URLSearchParams(rawQuery)],
    headers,
    ...(request.body.length > 0
      ? {
          encodedBody: text
            ? { body: request.body.toString('utf8'), isBase64Encoded: false }
            : { body: request.body.toString('base64'), isBase64Encoded: true },
        }
      : {}),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time`: 12/Mar/2020:19:03:58 +0000 (by hand: Intl costs ~0.3 ms a call). */
function clfTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function domain(headers: Map<string, string[]>): { domainName: string; domainPrefix: string } {
  const domainName = headers.get('host')?.[0] ?? 'localhost';
  return { domainName, domainPrefix: domainName.split('.')[0]!.split(':')[0]! };
}

/** Payload format 2.0: lower-case headers with repeats joined by commas, cookies apart, query values joined. */
function eventV2(request: IncomingHttp, requestId: string): object {
  const { rawPath, rawQuery, query, headers, encodedBody } = parts(request);
  const cookies = (headers.get('cookie') ?? []).flatMap((line) => line.split(/;\s*/)).filter((cookie) => cookie !== '');
  const joined: Record<string, string> = {};
  for (const [name, values] of headers) if (name !== 'cookie') joined[name] = values.join(',');
  const queryParameters: Record<string, string> = {};
  for (const [name, value] of query)
    queryParameters[name] = name in queryParameters ? `${queryParameters[name]},${value}` : value;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: rawQuery,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers: joined,
    ...(query.length > 0 ? { queryStringParameters: queryParameters } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      ...domain(headers),
      http: {
        method: request.method,
        path: safeDecode(rawPath),
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers.get('user-agent')?.[0] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: clfTime(request.receivedAt),
      timeEpoch: request.receivedAt,
    },
    ...(encodedBody ?? {}),
    isBase64Encoded: encodedBody?.isBase64Encoded ?? false,
  };
}

/** Payload format 1.0: headers with the sender's spelling, single values (the last) beside the multi-value lists. */
function eventV1(request: IncomingHttp, requestId: string): object {
  const { rawPath, query, headers, encodedBody } = parts(request);
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index]!;
    const value = request.rawHeaders[index + 1]!;
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  const singleQuery: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of query) {
    singleQuery[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const path = safeDecode(rawPath);
  const hasQuery = query.length > 0;
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: request.method,
    headers: single,
    multiValueHeaders: multi,
    queryStringParameters: hasQuery ? singleQuery : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: path === '/' ? null : { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      ...domain(headers),
      extendedRequestId: requestId,
      httpMethod: request.method,
      identity: { sourceIp: request.sourceIp, userAgent: headers.get('user-agent')?.[0] ?? null },
      path: `/${V1_STAGE}${path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: clfTime(request.receivedAt),
      requestTimeEpoch: request.receivedAt,
      resourceId: LOCAL_API_ID,
      resourcePath: '/{proxy+}',
      stage: V1_STAGE,
    },
    body: encodedBody?.body ?? null,
    isBase64Encoded: encodedBody?.isBase64Encoded ?? false,
  };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
