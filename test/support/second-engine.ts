// A Docker engine of a test's own, beside the machine's: its own dockerd (and the containerd it starts) on a unix
// socket under /tmp, with its own data and exec roots, so a test can kill it by PID mid-build or mid-push without
// touching the engine every other test uses. It holds a copy of the test base image.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { BASE_IMAGE } from './docker.js';

export interface SecondEngine {
  /** unix:///tmp/…/docker.sock, for DOCKER_HOST. */
  host: string;
  docker: Docker;
  /** The running dockerd's PID. */
  readonly pid: number;
  /** SIGKILL to dockerd, as a crash: its containerd goes with it, a running step's shim stays until restart. */
  kill(): void;
  /** Starts dockerd again on the same roots (it removes what the killed one left running). */
  restart(): Promise<void>;
  /** Restarts a killed engine so it cleans up, stops it, unmounts its roots and removes them. */
  stop(): Promise<void>;
}

/** Why a second engine cannot run here, or undefined when it can. */
export function secondEngineUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'a second dockerd needs root';
  if (spawnSync('dockerd', ['--version']).status !== 0) return 'no dockerd binary';
  return undefined;
}

const waitFor = async (test: () => Promise<boolean>, ms: number, what: string) => {
  for (const started = Date.now(); Date.now() - started < ms; await new Promise((r) => setTimeout(r, 200)))
    if (await test()) return;
  throw new Error(`the second engine: ${what} within ${ms / 1000} s`);
};

export async function startSecondEngine(source: Docker): Promise<SecondEngine> {
  // A short path: a unix socket's path is limited to 108 bytes.
  const root = await mkdtemp('/tmp/tsl-engine-');
  const socket = join(root, 'docker.sock');
  const docker = new Docker({ socketPath: socket });
  let child: ChildProcess | undefined;
  let killed = false;
  const answers = () =>
    docker.ping().then(
      () => true,
      () => false,
    );
  const exited = (process: ChildProcess) => process.exitCode !== null || process.signalCode !== null;

  /**
   * The containerd a killed dockerd started dies after it. A new dockerd that finds its PID file while the process
   * (or its zombie, until reaped) exists waits for it and gives up: wait for it to go, then drop the file.
   */
  async function oldContainerdGone(): Promise<void> {
    const pidFile = join(root, 'exec', 'containerd', 'containerd.pid');
    const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
    if (!pid) return;
    // Ours only while its command line names our root (a PID can be reused by another process).
    const running = () => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(root);
      } catch {
        return false;
      }
    };
    await waitFor(async () => !running(), 10_000, "the killed engine's containerd exits").catch(() => {
      if (running()) process.kill(pid, 'SIGKILL');
    });
    await rm(pidFile, { force: true });
  }

  async function start(): Promise<void> {
    await oldContainerdGone();
    const log = openSync(join(root, 'dockerd.log'), 'a');
    child = spawn(
      'dockerd',
      [
        ...['--data-root', join(root, 'data'), '--exec-root', join(root, 'exec')],
        ...['--pidfile', join(root, 'dockerd.pid'), '--host', `unix://${socket}`],
        // No bridge and no iptables, as the machine's engine (scripts/docker-up.sh): containers use host networking.
        ...['--iptables=false', '--ip6tables=false', '--bridge=none'],
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    killed = false;
    await waitFor(
      async () => {
        if (exited(child!)) throw new Error(`dockerd exited:\n${await readFile(join(root, 'dockerd.log'), 'utf8')}`);
        return answers();
      },
      30_000,
      'dockerd answers',
    );
  }

  async function stopDockerd(): Promise<void> {
    if (!child || exited(child)) return;
    const running = child;
    running.kill('SIGTERM');
    await waitFor(async () => exited(running), 30_000, 'dockerd stops on SIGTERM').catch(() => running.kill('SIGKILL'));
  }

  await start();
  const image = await source.getImage(BASE_IMAGE).get();
  await docker.loadImage(image);
  await waitFor(
    () =>
      docker
        .getImage(BASE_IMAGE)
        .inspect()
        .then(
          () => true,
          () => false,
        ),
    60_000,
    `${BASE_IMAGE} is loaded`,
  );

  return {
    host: `unix://${socket}`,
    docker,
    get pid() {
      return child!.pid!;
    },
    kill() {
      killed = true;
      child!.kill('SIGKILL');
    },
    restart: start,
    async stop() {
      if (killed) await start();
      await stopDockerd();
      // dockerd leaves its data root and network namespace mounted: unmount, deepest first, then remove.
      const mounts = (await readFile('/proc/self/mountinfo', 'utf8'))
        .split('\n')
        .map((line) => line.split(' ')[4] ?? '')
        .filter((point) => point.startsWith(root))
        .sort()
        .reverse();
      for (const point of mounts) spawnSync('umount', [point]);
      await rm(root, { recursive: true, force: true });
    },
  };
}
