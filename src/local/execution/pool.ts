// Spreads invocations over N warm environments (--concurrency N): each takes one at a time, the rest queue.

import type { Environment } from './environment.js';
import type { EnvironmentInvokeOptions, EnvironmentResult, Invoker } from './invoker.js';

export class EnvironmentPool implements Invoker {
  private readonly idle: Environment[];
  private readonly waiting: Array<(environment: Environment) => void> = [];

  constructor(readonly environments: Environment[]) {
    this.idle = [...environments];
  }

  async invoke(payload: Buffer | string, options: EnvironmentInvokeOptions = {}): Promise<EnvironmentResult> {
    const environment = this.idle.shift() ?? (await new Promise<Environment>((resolve) => this.waiting.push(resolve)));
    try {
      return await environment.invoke(payload, options);
    } finally {
      const next = this.waiting.shift();
      if (next) next(environment);
      else this.idle.push(environment);
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.environments.map((environment) => environment.stop()));
  }
}
