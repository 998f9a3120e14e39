// What the Runtime API says back to a runtime: the invocation it hands over (body and headers), and its JSON
// answers to posts (accepted, too large, out of turn, unknown), each with the error type Lambda's API uses.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { drain, sendJson } from './http.js';
import type { InvokeOptions } from './invocation.js';
import { RuntimeApiError, RuntimeHeader } from './protocol.js';

export interface Handover {
  requestId: string;
  deadlineMs: number;
  functionArn: string;
  options: InvokeOptions;
}

/** The headers of a `/next` answer: the invocation's id, deadline, ARN, trace, client context and identity. */
export function handoverHeaders(handover: Handover): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    [RuntimeHeader.requestId]: handover.requestId,
    [RuntimeHeader.deadlineMs]: String(handover.deadlineMs),
    [RuntimeHeader.functionArn]: handover.functionArn,
    [RuntimeHeader.traceId]: traceId(),
  };
  if (handover.options.clientContext !== undefined)
    headers[RuntimeHeader.clientContext] = handover.options.clientContext;
  if (handover.options.cognitoIdentity !== undefined)
    headers[RuntimeHeader.cognitoIdentity] = handover.options.cognitoIdentity;
  return headers;
}

/** An X-Ray trace header in the format Lambda passes (Root=1-{epoch hex}-{24 hex};Parent=…;Sampled=0). */
function traceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

export function replyAccepted(res: ServerResponse): void {
  sendJson(res, 202, { status: 'OK' });
}

export function replyOutOfTurn(res: ServerResponse, errorMessage: string): void {
  sendJson(res, 403, { errorType: RuntimeApiError.invalidStateTransition, errorMessage });
}

export function replyTooLarge(res: ServerResponse, errorMessage: string): void {
  sendJson(res, 413, { errorType: RuntimeApiError.tooLarge, errorMessage });
}

export function replyInvalidRequestId(res: ServerResponse, requestId: string): void {
  sendJson(res, 400, { errorType: RuntimeApiError.invalidRequestId, errorMessage: `invalid request id: ${requestId}` });
}

export function replyNotFound(req: IncomingMessage, res: ServerResponse, path: string): void {
  drain(req);
  sendJson(res, 404, {
    errorType: RuntimeApiError.notFound,
    errorMessage: `no such Runtime API resource: ${req.method} ${path}`,
  });
}

export function replyMethodNotAllowed(req: IncomingMessage, res: ServerResponse): void {
  drain(req);
  sendJson(res, 405, {
    errorType: RuntimeApiError.methodNotAllowed,
    errorMessage: `${req.method} is not allowed on ${req.url}`,
  });
}
