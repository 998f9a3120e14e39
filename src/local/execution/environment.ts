// One warm execution environment: an emulator plus the runtime process behind it, started on demand,
// replaced after a timeout or an exit, framing each invocation's logs the way Lambda does.

import { EventEmitter } from 'node:events';
import type { Emulator } from '../api/emulator.js';
import type { InvokeResult } from '../api/invocation.js';
import { LOG_TAIL_BYTES } from '../api/protocol.js';
import type { EnvironmentInvokeOptions, EnvironmentResult, Invoker } from './invoker.js';
import type { RuntimeLauncher, RuntimeProcess } from './launcher.js';
import { LOG_FENCE_VARIABLES, LogFence } from './log-fence.js';
import { endLine, platformErrorLines, reportFigures, reportLine, startLine, type ReportFigures } from './report.js';

/**
 * Runtimes that fence their logs (tslambda's) are waited for exactly, up to the cap. For others, output
 * quiet for QUIET_MS counts as complete, a guess that a loaded machine can defeat.
 */
const FENCE_CAP_MS = 2000;
const QUIET_MS = 10;
const QUIET_CAP_MS = 200;

export interface EnvironmentEvents {
  /** Function output and Lambda's own lines, in order. */
  log: [text: Buffer];
}

export interface EnvironmentOptions {
  emulator: Emulator;
  launcher: RuntimeLauncher;
  memorySizeMb: number;
}

const CAPTURE_LIMIT = 64 * 1024;

export class Environment extends EventEmitter<EnvironmentEvents> implements Invoker {
  private readonly emulator: Emulator;
  private readonly launcher: RuntimeLauncher;
  private readonly memorySizeMb: number;
  private process?: RuntimeProcess;
  private starting?: Promise<RuntimeProcess>;
  private lastPeak?: number;
  private capture: Buffer[] = [];
  private captured = 0;
  private turn: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private lastOutputAt = 0;
  private readonly fence = new LogFence();
  private readonly stopping = new Set<Promise<void>>();

  constructor(options: EnvironmentOptions) {
    super();
    this.emulator = options.emulator;
    this.launcher = options.launcher;
    this.memorySizeMb = options.memorySizeMb;
    this.emulator.on('start', ({ requestId }) => {
      this.log(Buffer.from(startLine(requestId)));
      // A sample at the start too, so a runtime that dies mid-invocation still has a measured figure.
      void this.sample(this.process);
    });
  }

  /** Starts the runtime now rather than on the first invocation (so its init overlaps other work). */
  async warm(): Promise<void> {
    await this.ensureProcess();
  }

  /** Invocations run one at a time, in call order. */
  invoke(payload: Buffer | string, options: EnvironmentInvokeOptions = {}): Promise<EnvironmentResult> {
    const run = this.turn.then(() => this.invokeNow(payload, options));
    this.turn = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const process = this.process ?? (await this.starting?.catch(() => undefined));
    this.process = undefined;
    if (process) this.track(this.emulator.shutdownExtensions('spindown').then(() => process.stop()));
    await Promise.allSettled([...this.stopping]);
  }

  /** Removals in flight, awaited by stop() so that nothing is left behind. */
  private track(stopping: Promise<void>): void {
    const tracked = stopping.catch(() => undefined).finally(() => this.stopping.delete(tracked));
    this.stopping.add(tracked);
  }

  private async invokeNow(payload: Buffer | string, options: EnvironmentInvokeOptions): Promise<EnvironmentResult> {
    if (this.stopped) throw new Error('the environment has been stopped');
    if (!this.emulator.hasPendingInitError) await this.ensureProcess();
    const process = this.process;
    const result = await this.emulator.invoke(payload, options);
    if (options.completeLogs) {
      if (result.logFence === undefined || !(await this.fenceArrived(result.logFence))) await this.outputQuiet();
    }
    const platform = platformErrorLines(result, this.emulator.timeoutMs);
    if (platform) this.log(Buffer.from(platform));
    const peak = await this.measurePeak(process, result);
    if (result.outcome === 'timeout' && process) {
      // Lambda freezes and discards an environment whose invocation timed out, after its extensions' SHUTDOWN.
      if (this.process === process) this.process = undefined;
      await this.emulator.shutdownExtensions('timeout');
      await process.stop();
    }
    const report = reportFigures(result, this.memorySizeMb, peak);
    this.emulator.telemetry.platform('platform.report', telemetryReport(result, report));
    this.log(Buffer.from(endLine(result.requestId) + reportLine(result, report)));
    const log = Buffer.concat(this.capture);
    this.capture = [];
    this.captured = 0;
    return { ...result, report, logTail: log.subarray(Math.max(0, log.length - LOG_TAIL_BYTES)) };
  }

  private async sample(process: RuntimeProcess | undefined): Promise<void> {
    const measured = process ? await process.peakMemoryBytes().catch(() => undefined) : undefined;
    if (measured !== undefined) this.lastPeak = Math.max(this.lastPeak ?? 0, measured);
  }

  private async measurePeak(process: RuntimeProcess | undefined, result: InvokeResult): Promise<number | undefined> {
    await this.sample(process);
    // A runtime the kernel killed for memory reached the limit; nothing is left to read afterwards.
    if (result.errorType === 'Runtime.OutOfMemory') return this.memorySizeMb * 1024 * 1024;
    return this.lastPeak;
  }

  private ensureProcess(): Promise<RuntimeProcess> {
    if (this.process) return Promise.resolve(this.process);
    this.starting ??= this.launch().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async launch(): Promise<RuntimeProcess> {
    this.lastPeak = undefined;
    const process = await this.launcher.start({
      port: this.emulator.port,
      env: LOG_FENCE_VARIABLES,
      onOutput: (chunk) => {
        const output = this.fence.filter(chunk);
        if (output.length === 0) return;
        this.lastOutputAt = performance.now();
        this.emulator.telemetry.functionOutput(output);
        this.log(output);
      },
      onStarting: () => this.emulator.environmentStarting(),
    });
    this.process = process;
    void process.exited.then((exit) => {
      // An exited container still exists until it is removed.
      this.track(process.stop());
      // A process we replaced (after a timeout) must not disturb its successor.
      if (this.process !== process) return;
      this.process = undefined;
      this.emulator.environmentExited(exit);
      // Work queued behind the exit (e.g. after an init error) needs a new runtime, as Lambda would start one.
      if (this.emulator.queuedInvocations > 0 && !this.stopped) this.ensureProcess().catch(() => undefined);
    });
    return process;
  }

  /** The fence comes after every line the function wrote: while output still flows (a large log draining), wait on. */
  private async fenceArrived(token: string): Promise<boolean> {
    for (;;) {
      if (await this.fence.arrived(token, FENCE_CAP_MS)) return true;
      if (performance.now() - this.lastOutputAt > FENCE_CAP_MS) return false;
    }
  }

  private async outputQuiet(): Promise<void> {
    const started = performance.now();
    for (;;) {
      const quietFor = performance.now() - this.lastOutputAt;
      if (quietFor >= QUIET_MS || performance.now() - started >= QUIET_CAP_MS) return;
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS - quietFor));
    }
  }

  private log(chunk: Buffer): void {
    this.capture.push(chunk);
    this.captured += chunk.length;
    while (this.captured > CAPTURE_LIMIT && this.capture.length > 1) this.captured -= this.capture.shift()!.length;
    this.emit('log', chunk);
  }
}

/** The platform.report record of the Telemetry API, from the figures of the REPORT line. */
function telemetryReport(result: InvokeResult, report: ReportFigures) {
  return {
    requestId: result.requestId,
    status: result.outcome === 'exited' ? 'failure' : result.outcome,
    metrics: {
      durationMs: report.durationMs,
      billedDurationMs: report.billedDurationMs,
      memorySizeMB: report.memorySizeMb,
      ...(report.maxMemoryUsedMb !== undefined ? { maxMemoryUsedMB: report.maxMemoryUsedMb } : {}),
      ...(report.initDurationMs !== undefined ? { initDurationMs: report.initDurationMs } : {}),
    },
  };
}
