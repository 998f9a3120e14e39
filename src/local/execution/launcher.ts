// The one launcher interface: how an execution environment starts its runtime. A runtime is a command plus an
// environment, run in a container (docker-launcher.ts) or as a host process (host-process.ts); the
// environment adds what the Runtime API needs (its address, the log fence switch) through the request.

/** How a runtime process ended. */
export interface RuntimeExit {
  exitCode: number | null;
  /** e.g. 'killed' when the kernel's OOM killer or a stop ended it. */
  signal?: string;
  oomKilled?: boolean;
}

/** A started runtime (a container, or a host process with --no-docker). */
export interface RuntimeProcess {
  /** Settles once when the process has ended. */
  readonly exited: Promise<RuntimeExit>;
  /** Peak memory of the environment so far, measured (cgroup, /proc); undefined when unavailable. */
  peakMemoryBytes(): Promise<number | undefined>;
  /** Stops and removes it; safe to call more than once. */
  stop(): Promise<void>;
}

export interface LaunchRequest {
  /** The emulator's port on the host; the launcher sets AWS_LAMBDA_RUNTIME_API to reach it. */
  port: number;
  /** Variables the environment adds to the runtime's own (e.g. the log fence switch). */
  env: Record<string, string>;
  /** The function's output (stdout and stderr), as it comes. */
  onOutput: (chunk: Buffer) => void;
  /** Call right before the runtime really starts: Init Duration is measured from there. */
  onStarting: () => void;
}

export interface RuntimeLauncher {
  start(request: LaunchRequest): Promise<RuntimeProcess>;
}
