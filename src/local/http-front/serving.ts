// Opens the HTTP front for `--http` and tells the user how to call it.

import type { Output } from '../../core/output.js';
import type { Invoker } from '../execution/invoker.js';
import { refuseListen } from '../listen-error.js';
import type { HttpFormat } from './request-event.js';
import { startHttpFront, type HttpFront } from './server.js';

export interface HttpServingOptions {
  port: number;
  format: HttpFormat;
  functionName: string;
  /** Warm environments behind the front (for the summary). */
  concurrency: number;
  invoker: Invoker;
  out: Output;
  /** Appended to the first line, e.g. "reloading on every change". */
  note?: string;
}

const FORMAT_NAMES: Record<HttpFormat, string> = {
  v2: 'Function URL / HTTP API events, payload 2.0',
  v1: 'REST API events, payload 1.0',
};

export async function startHttpServing(options: HttpServingOptions): Promise<HttpFront> {
  const front = await startHttpFront({
    port: options.port,
    format: options.format,
    invoke: (payload, invokeOptions) => options.invoker.invoke(payload, invokeOptions),
  }).catch((error: NodeJS.ErrnoException) => refuseListen('--http', options.port, error));
  options.out.result(
    [
      `HTTP front for ${options.functionName} on ${front.url} (${FORMAT_NAMES[options.format]})${options.note ? `, ${options.note}` : ''} (Ctrl-C to stop)`,
      `  curl -i ${front.url}/`,
    ].join('\n'),
    {
      ok: true,
      http: front.url,
      format: options.format,
      functionName: options.functionName,
      concurrency: options.concurrency,
    },
  );
  return front;
}
