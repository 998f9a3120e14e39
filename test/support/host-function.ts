// A function served by tslambda's real runtime loop as host processes (no Docker), behind a pool of warm
// environments: the Invoker that --serve and --http put in front of the function.
import { join } from 'node:path';
import { startEnvironmentSet, type EnvironmentSet } from '../../src/local/execution/environment-set.js';
import { hostProcessLauncher } from '../../src/local/execution/host-process.js';
import { lambdaEnvironment } from '../../src/local/execution/lambda-env.js';
import { RUNTIME_ENTRY, RUNTIME_SOURCE_DIR } from '../../src/image/runtime-asset.js';
import type { Output } from '../../src/core/output.js';

export interface HostFunction extends EnvironmentSet {
  /** Everything the environments logged (START, the function's lines, END, REPORT). */
  log(): string;
}

export async function startHostFunction(options: {
  taskRoot: string;
  handler?: string;
  functionName?: string;
  concurrency?: number;
  timeoutSeconds?: number;
}): Promise<HostFunction> {
  const functionName = options.functionName ?? 'web';
  let log = '';
  const out = {
    quiet: false,
    stderr: { write: (chunk: Buffer | string) => ((log += chunk.toString()), true) },
  } as unknown as Output;
  const set = await startEnvironmentSet({
    launcher: hostProcessLauncher({
      command: [process.execPath, join(RUNTIME_SOURCE_DIR, RUNTIME_ENTRY), options.handler ?? 'index.handler'],
      cwd: options.taskRoot,
      env: {
        PATH: process.env.PATH ?? '',
        ...lambdaEnvironment({ functionName, memorySizeMb: 256, region: 'us-east-1' }),
      },
    }),
    count: options.concurrency ?? 1,
    functionName,
    region: 'us-east-1',
    timeout: options.timeoutSeconds ?? 10,
    memorySizeMb: 256,
    host: '127.0.0.1',
    out,
  });
  await Promise.all(set.pool.environments.map((environment) => environment.warm()));
  return { ...set, log: () => log };
}
