// Runs a folder's handler with the runtime loop (runtime/bootstrap.cjs) as a host process against the
// emulator, with no planning or bundling of tslambda's in between: the reference every mode is held to.
import { join } from 'node:path';
import { RUNTIME_ENTRY, RUNTIME_SOURCE_DIR } from '../../../src/image/runtime-asset.js';
import { startEmulator } from '../../../src/local/api/emulator.js';
import { Environment } from '../../../src/local/execution/environment.js';
import { hostProcessLauncher } from '../../../src/local/execution/host-process.js';
import { lambdaEnvironment } from '../../../src/local/execution/lambda-env.js';

export interface Answer {
  payload: string;
  errorType?: string;
  errorMessage?: string;
  initFailed: boolean;
}

/** The response or the error's type and message, with the task root's path written as <root>. */
export function answerOf(payload: Buffer, errorType: string | undefined, initFailed: boolean, root: string): Answer {
  const text = payload.toString();
  if (errorType === undefined) return { payload: text, initFailed };
  const error = JSON.parse(text) as { errorType?: string; errorMessage?: string };
  return {
    payload: '',
    errorType: error.errorType ?? errorType,
    errorMessage: error.errorMessage?.split(root).join('<root>'),
    initFailed,
  };
}

export async function runUnbundled(taskRoot: string, handler: string, event: unknown): Promise<Answer> {
  const emulator = await startEmulator({ functionName: 'shape', timeoutMs: 10_000 });
  const environment = new Environment({
    emulator,
    memorySizeMb: 256,
    launcher: hostProcessLauncher({
      command: [process.execPath, join(RUNTIME_SOURCE_DIR, RUNTIME_ENTRY), handler],
      cwd: taskRoot,
      env: {
        PATH: process.env.PATH ?? '',
        ...lambdaEnvironment({ functionName: 'shape', memorySizeMb: 256, region: 'us-east-1' }),
      },
    }),
  });
  try {
    const result = await environment.invoke(Buffer.from(JSON.stringify(event ?? {})));
    return answerOf(
      result.payload,
      result.outcome === 'success' ? undefined : result.errorType,
      result.initFailed === true,
      taskRoot,
    );
  } finally {
    await environment.stop();
    await emulator.close();
  }
}
