// Runs the function's image as a Lambda execution environment through the Engine API: creates the
// container with Lambda's environment and memory limit, streams its output, measures its peak memory,
// and always removes it.

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { imageIdOf } from '../../docker/image-lookup.js';
import type { LaunchRequest, RuntimeExit, RuntimeLauncher, RuntimeProcess } from './launcher.js';

/**
 * How the container reaches the emulator on the host:
 * - `host`: the container shares the host's network (Linux engines); the emulator listens on 127.0.0.1.
 * - `gateway`: Docker Desktop (macOS/Windows), where host networking does not reach the host; the container
 *   calls `host.docker.internal` (mapped with `host-gateway`), so the emulator must listen on an address the
 *   engine's VM can reach (0.0.0.0).
 */
export type ContainerNetwork = 'host' | 'gateway';

export const INVOKE_LOCAL_LABEL = 'dev.tslambda.invoke-local';

export interface FunctionContainerOptions {
  image: string;
  /** The environment Lambda sets plus the user's; AWS_LAMBDA_RUNTIME_API is added per container. */
  env: Record<string, string>;
  memorySizeMb: number;
  network: ContainerNetwork;
  /** Overrides the image's CMD (the handler), when given. */
  cmd?: string[];
  /** A port of the container reachable from the host (the inspector): published when the network is a bridge. */
  publish?: { port: number; host: string };
}

/** Linux engines get host networking; Docker Desktop (and non-Linux clients) the host-gateway route. */
export async function chooseNetwork(docker: Docker): Promise<ContainerNetwork> {
  if (process.platform !== 'linux') return 'gateway';
  const info = (await docker.info()) as { OperatingSystem?: string };
  return /Docker Desktop/i.test(info.OperatingSystem ?? '') ? 'gateway' : 'host';
}

/** The NODE_OPTIONS the image sets (e.g. --enable-source-maps for a bundle): the container's own would replace it. */
export async function imageNodeOptions(docker: Docker, image: string): Promise<string | undefined> {
  const info = await docker.getImage(image).inspect();
  const entry = (info.Config?.Env ?? []).find((variable) => variable.startsWith('NODE_OPTIONS='));
  return entry?.slice('NODE_OPTIONS='.length);
}

/** Whether the local engine holds the image (invoke-local runs what is there, it never pulls). */
export async function imageExists(docker: Docker, image: string): Promise<boolean> {
  return (await imageIdOf(docker, image)) !== undefined;
}

export function containerLauncher(docker: Docker, options: FunctionContainerOptions): RuntimeLauncher {
  return {
    start: (request) => startFunctionContainer(docker, options, request),
  };
}

async function startFunctionContainer(
  docker: Docker,
  options: FunctionContainerOptions,
  request: LaunchRequest,
): Promise<RuntimeProcess> {
  const runtimeHost = options.network === 'host' ? '127.0.0.1' : 'host.docker.internal';
  const env = { ...options.env, AWS_LAMBDA_RUNTIME_API: `${runtimeHost}:${request.port}`, ...request.env };
  const memory = options.memorySizeMb * 1024 * 1024;
  const publish = options.network === 'gateway' ? options.publish : undefined;
  const container = await docker.createContainer({
    Image: options.image,
    ...(options.cmd ? { Cmd: options.cmd } : {}),
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    Labels: { [INVOKE_LOCAL_LABEL]: 'true' },
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    ...(publish ? { ExposedPorts: { [`${publish.port}/tcp`]: {} } } : {}),
    HostConfig: {
      NetworkMode: options.network === 'host' ? 'host' : 'bridge',
      // Lambda's environment calls itself sandbox.localdomain (Telemetry API destinations use it).
      ExtraHosts: [
        'sandbox.localdomain:127.0.0.1',
        ...(options.network === 'gateway' ? ['host.docker.internal:host-gateway'] : []),
      ],
      ...(publish
        ? { PortBindings: { [`${publish.port}/tcp`]: [{ HostIp: publish.host, HostPort: String(publish.port) }] } }
        : {}),
      // Lambda has no swap: the limit is the limit.
      Memory: memory,
      MemorySwap: memory,
    },
  });
  let removed: Promise<void> | undefined;
  const remove = () =>
    (removed ??= container.remove({ force: true }).then(
      () => undefined,
      (error: { statusCode?: number }) => {
        // Already gone (404) or already being removed (409) is what we wanted.
        if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
      },
    ));
  try {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const output = new PassThrough();
    output.on('data', request.onOutput);
    docker.modem.demuxStream(stream, output, output);
    const outputEnded = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
    // Registered before start so that an exit right after start is not missed.
    const waited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
    request.onStarting();
    await container.start();
    const cgroupFile = await memoryPeakFile(container);
    let peak: number | undefined;

    const exited: Promise<RuntimeExit> = waited.then(
      async ({ StatusCode }) => {
        const state = await container.inspect().then(
          (info) => info.State,
          () => undefined,
        );
        await Promise.race([outputEnded, new Promise((resolve) => setTimeout(resolve, 200))]);
        return {
          exitCode: StatusCode,
          ...(StatusCode > 128 ? { signal: signalName(StatusCode - 128) } : {}),
          oomKilled: state?.OOMKilled ?? false,
        };
      },
      () => ({ exitCode: null }),
    );

    return {
      exited,
      async peakMemoryBytes() {
        const measured = cgroupFile ? readNumberNow(cgroupFile) : await statsPeak(container);
        if (measured !== undefined) peak = Math.max(peak ?? 0, measured);
        return peak;
      },
      async stop() {
        await remove();
        destroyStream(stream);
      },
    };
  } catch (error) {
    await remove().catch(() => undefined);
    throw error;
  }
}

/**
 * The container's peak-memory file, read directly when the engine runs on this machine (a few µs, so REPORT
 * costs nothing): cgroup v1 memory.max_usage_in_bytes, cgroup v2 memory.peak. Elsewhere, the stats API.
 */
async function memoryPeakFile(container: Docker.Container): Promise<string | undefined> {
  const pid = await container.inspect().then(
    (info) => info.State.Pid,
    () => 0,
  );
  if (!pid) return undefined;
  const cgroups = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => undefined);
  if (!cgroups) return undefined;
  const v1 = /^\d+:[^:]*\bmemory\b[^:]*:(.+)$/m.exec(cgroups);
  const v2 = /^0::(.+)$/m.exec(cgroups);
  const candidates = [
    ...(v1 ? [`/sys/fs/cgroup/memory${v1[1]}/memory.max_usage_in_bytes`] : []),
    ...(v2 ? [`/sys/fs/cgroup${v2[1]}/memory.peak`] : []),
  ];
  for (const file of candidates) if ((await readNumber(file)) !== undefined) return file;
  return undefined;
}

/** A synchronous read: a cgroup file is in memory, and the thread-pool round trips would cost more than it. */
function readNumberNow(file: string): number | undefined {
  try {
    const value = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

async function readNumber(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const value = text === undefined ? NaN : Number(text.trim());
  return Number.isFinite(value) ? value : undefined;
}

/** The engine's stats: max_usage on cgroup v1, current usage (the best it offers) on v2. */
async function statsPeak(container: Docker.Container): Promise<number | undefined> {
  const stats = (await container
    .stats({ stream: false, 'one-shot': true } as { stream: false })
    .catch(() => undefined)) as { memory_stats?: { max_usage?: number; usage?: number } } | undefined;
  return stats?.memory_stats?.max_usage || stats?.memory_stats?.usage || undefined;
}

/** Go's wording, which Lambda's messages use ("signal: killed"). */
function signalName(signal: number): string {
  const names: Record<number, string> = {
    9: 'killed',
    15: 'terminated',
    11: 'segmentation fault',
    6: 'aborted',
    2: 'interrupt',
  };
  return names[signal] ?? `signal ${signal}`;
}

/** The attach stream is a socket at runtime, though dockerode types it as a plain ReadWriteStream. */
function destroyStream(stream: NodeJS.ReadWriteStream): void {
  if ('destroy' in stream && typeof stream.destroy === 'function') stream.destroy();
}
