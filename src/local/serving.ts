// Opens the local Invoke API for `--serve` and tells the user how to call it.

import type { Output } from '../core/output.js';
import type { Invoker } from './execution/invoker.js';
import { startInvokeServer, type InvokeServer } from './api/invoke-server.js';
import { refuseListen } from './listen-error.js';

export interface ServingOptions {
  port: number;
  functionName: string;
  /** Warm environments behind the server (for the summary). */
  concurrency: number;
  invoker: Invoker;
  out: Output;
  /** Appended to the first line, e.g. "reloading on every change". */
  note?: string;
}

export async function startServing(options: ServingOptions): Promise<InvokeServer> {
  const { out, functionName } = options;
  const server = await startInvokeServer({
    port: options.port,
    functionName,
    invoke: (payload, invokeOptions) => options.invoker.invoke(payload, invokeOptions),
    onBackgroundError: (error) => out.warn(`an Event invocation failed to run: ${(error as Error).message}`),
  }).catch((error: NodeJS.ErrnoException) => refuseListen('--serve', options.port, error));
  out.result(
    [
      `Serving ${functionName} on ${server.url}${options.note ? `, ${options.note}` : ''} (Ctrl-C to stop)`,
      `  aws lambda invoke --endpoint-url ${server.url} --function-name ${functionName} --payload '{}' --cli-binary-format raw-in-base64-out out.json`,
    ].join('\n'),
    { ok: true, url: server.url, functionName, concurrency: options.concurrency },
  );
  return server;
}
