// Starts N execution environments (an emulator and a runtime launcher each) behind one pool, and stops them all.

import { createCleanup } from '../../core/cleanup.js';
import type { Output } from '../../core/output.js';
import { startEmulator } from '../api/emulator.js';
import { Environment } from './environment.js';
import type { RuntimeLauncher } from './launcher.js';
import { EnvironmentPool } from './pool.js';

export interface EnvironmentSetOptions {
  launcher: RuntimeLauncher;
  count: number;
  functionName: string;
  region: string;
  /** Seconds, as in the config. */
  timeout: number;
  memorySizeMb: number;
  /** Address the emulators listen on: 127.0.0.1, or 0.0.0.0 when containers come through the host gateway. */
  host: string;
  out: Output;
  /** No deadline timer (--inspect: a debugger may hold the function paused). */
  noTimeout?: boolean;
  /** The handler, as the Extensions API names it to extensions. */
  handler?: string;
}

export interface EnvironmentSet {
  pool: EnvironmentPool;
  /** Stops every runtime (removing its container) and closes every emulator; safe to call more than once. */
  stop(): Promise<void>;
}

export async function startEnvironmentSet(options: EnvironmentSetOptions): Promise<EnvironmentSet> {
  // Runtimes first, then the emulators they talk to.
  const stops = createCleanup();
  const stop = async () => void (await stops.run());
  try {
    const environments: Environment[] = [];
    for (let index = 0; index < options.count; index++) {
      const emulator = await startEmulator({
        host: options.host,
        functionName: options.functionName,
        region: options.region,
        timeoutMs: options.timeout * 1000,
        noTimeout: options.noTimeout,
        handler: options.handler,
      });
      stops.push(() => emulator.close());
      const environment = new Environment({ emulator, launcher: options.launcher, memorySizeMb: options.memorySizeMb });
      if (!options.out.quiet) environment.on('log', (chunk) => options.out.stderr.write(chunk));
      stops.push(() => environment.stop());
      environments.push(environment);
    }
    return { pool: new EnvironmentPool(environments), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
