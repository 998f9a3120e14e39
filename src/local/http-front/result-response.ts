// What the function returned, as the HTTP response API Gateway or a Function URL sends: the v2 rules (a result
// without statusCode is inferred as a 200 JSON body; cookies become Set-Cookie) or the v1 rules (statusCode required,
// headers merged with multiValueHeaders). Rules from AWS's docs: "Lambda function URLs: response payload"
// (docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html) and "Working with AWS Lambda proxy integrations for
// HTTP APIs" (payload format version 2.0, response format) / "Output format of a Lambda function for proxy
// integration" (REST API).

import type { HttpFormat } from './request-event.js';

export interface HttpAnswer {
  statusCode: number;
  /** Lower-case names; a list becomes repeated header lines (Set-Cookie). */
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** The gateway's own answers when the function cannot give one. */
export const GatewayAnswer = {
  /** HTTP API / Function URL when the function failed or returned a malformed result. */
  functionErrorV2: json(502, { message: 'Internal Server Error' }),
  /** REST API's spelling of the same. */
  functionErrorV1: json(502, { message: 'Internal server error' }),
  /** The function ran past its timeout (REST API's integration timeout answer). */
  timeout: json(504, { message: 'Endpoint request timed out' }),
  tooLarge: json(413, { message: 'Request Entity Too Large' }),
} as const;

function json(statusCode: number, body: unknown): HttpAnswer {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) };
}

export function functionError(format: HttpFormat): HttpAnswer {
  return format === 'v2' ? GatewayAnswer.functionErrorV2 : GatewayAnswer.functionErrorV1;
}

/** The response for a successful invocation's payload, or the gateway's 502 when the result is malformed. */
export function resultResponse(format: HttpFormat, payload: Buffer): HttpAnswer {
  let result: unknown;
  try {
    result = JSON.parse(payload.toString('utf8'));
  } catch {
    return functionError(format);
  }
  const answer = format === 'v2' ? responseV2(result) : responseV1(result);
  return answer ?? functionError(format);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function responseV2(result: unknown): HttpAnswer | undefined {
  if (!isRecord(result) || !('statusCode' in result)) {
    // Inferred: any JSON without statusCode is a 200 JSON answer; a string is the body as it is.
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  const structured = structuredParts(result);
  if (!structured) return undefined;
  const headers = singleHeaders(result.headers);
  if (!headers) return undefined;
  if (result.cookies !== undefined) {
    if (!Array.isArray(result.cookies) || !result.cookies.every((cookie) => typeof cookie === 'string'))
      return undefined;
    if (result.cookies.length > 0) headers['set-cookie'] = result.cookies as string[];
  }
  return { statusCode: structured.statusCode, headers, body: structured.body };
}

function responseV1(result: unknown): HttpAnswer | undefined {
  if (!isRecord(result)) return undefined;
  const structured = structuredParts(result);
  if (!structured) return undefined;
  const headers: Record<string, string | string[]> = singleHeaders(result.headers) ?? {};
  if (result.headers !== undefined && result.headers !== null && !singleHeaders(result.headers)) return undefined;
  if (result.multiValueHeaders !== undefined && result.multiValueHeaders !== null) {
    if (!isRecord(result.multiValueHeaders)) return undefined;
    // A name in both lists takes the multi-value one.
    for (const [name, values] of Object.entries(result.multiValueHeaders)) {
      if (!Array.isArray(values)) return undefined;
      headers[name.toLowerCase()] = values.map(String);
    }
  }
  return { statusCode: structured.statusCode, headers, body: structured.body };
}

function structuredParts(result: Record<string, unknown>): { statusCode: number; body: Buffer } | undefined {
  const statusCode = typeof result.statusCode === 'string' ? Number(result.statusCode) : result.statusCode;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599)
    return undefined;
  const body = result.body ?? '';
  if (typeof body !== 'string') return undefined;
  return { statusCode, body: Buffer.from(body, result.isBase64Encoded === true ? 'base64' : 'utf8') };
}

function singleHeaders(headers: unknown): Record<string, string | string[]> | undefined {
  if (headers === undefined || headers === null) return {};
  if (!isRecord(headers)) return undefined;
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === null || value === undefined || typeof value === 'object') return undefined;
    out[name.toLowerCase()] = String(value);
  }
  return out;
}
