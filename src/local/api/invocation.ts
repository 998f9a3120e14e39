// What one invocation is to the Runtime API emulator: the options it carries, the result it settles with,
// and the error documents Lambda answers with when the function or the platform fails.

import type { Writable } from 'node:stream';

export interface InvokeOptions {
  /** The client context as JSON text (already decoded from the Invoke API's base64). */
  clientContext?: string;
  /** The Cognito identity as JSON text. */
  cognitoIdentity?: string;
  /** Where a streamed response's bytes go as they arrive; without it they are collected into `payload`. */
  streamTo?: Writable;
  /** Called once when the runtime opens a streamed response, with the content type it declared. */
  onStreamStart?: (contentType: string) => void;
}

export type InvocationOutcome = 'success' | 'error' | 'timeout' | 'exited';

export interface InvokeResult {
  requestId: string;
  outcome: InvocationOutcome;
  /** The function's response bytes, or the error document the caller sees. Empty when streamed to `streamTo`. */
  payload: Buffer;
  /** The error type (already reduced to one Lambda keeps), for every outcome but success. */
  errorType?: string;
  /** True when the runtime used the streaming response mode. */
  streamed: boolean;
  /** From hand-over to the runtime until its answer (or the timeout, or the exit). */
  durationMs: number;
  /** Set on the first invocation of an environment: runtime start until its first `/next`. */
  initDurationMs?: number;
  /** The log fence the runtime wrote before answering (tslambda's runtime under invoke-local), if any. */
  logFence?: string;
  /** The function failed to start (its init error answers this invocation). */
  initFailed?: true;
}

export function errorDocument(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorMessage, errorType }));
}

/** The runtime's error body passed through when it is a JSON object; otherwise one built from the type. */
export function errorBody(body: Buffer, errorType: string): Buffer {
  if (body.length === 0) return errorDocument(errorType, '');
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return body;
  } catch {
    // not JSON: fall through
  }
  return errorDocument(errorType, body.toString('utf8').slice(0, 1024));
}
