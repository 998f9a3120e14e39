// Vitest reporter: ends the run with one line naming every container and tagged image the tests left on the
// engine (`leaked: none` when there are none); in CI a leak fails the run, as a skip does. Test files remove
// what they create; a leak is a missing clean-up, which fills the disk of every machine that runs the suite.
import Docker from 'dockerode';
import type { Reporter } from 'vitest/node';

/** Images kept across runs on purpose: the test bases that scripts/ and the suites build once. */
const KEPT_IMAGE = /^(tslambda-test-|tslambda-local-base:)/;
/** Containers that AutoRemove or a test's clean-up is still removing get this long before they count. */
const SETTLE_MS = 3_000;

interface EngineState {
  containers: Set<string>;
  images: Set<string>;
}

export interface Leaks {
  containers: string[];
  images: string[];
}

async function engineState(docker: Docker): Promise<EngineState> {
  const [containers, images] = await Promise.all([docker.listContainers({ all: true }), docker.listImages()]);
  return {
    containers: new Set(containers.map((c) => `${c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12)} (${c.Image})`)),
    images: new Set(
      images.flatMap((image) =>
        (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>' && !KEPT_IMAGE.test(tag)),
      ),
    ),
  };
}

/** What is on the engine now and was not at the start. */
export function leaksBetween(before: EngineState, after: EngineState): Leaks {
  return {
    containers: [...after.containers].filter((c) => !before.containers.has(c)).sort(),
    images: [...after.images].filter((i) => !before.images.has(i)).sort(),
  };
}

export function summarizeLeaks(leaks: Leaks): string {
  const parts = [
    ...(leaks.containers.length > 0 ? [`${leaks.containers.length} containers: ${leaks.containers.join(', ')}`] : []),
    ...(leaks.images.length > 0 ? [`${leaks.images.length} images: ${leaks.images.join(', ')}`] : []),
  ];
  return parts.length === 0 ? 'leaked: none' : `leaked ${parts.join('; ')}`;
}

export default class LeakReport implements Reporter {
  private docker = new Docker({ socketPath: '/var/run/docker.sock' });
  private before: Promise<EngineState | undefined> | undefined;

  onInit(): void {
    // No engine: nothing can leak onto it, and the suites that need one say so in the skip summary.
    this.before = engineState(this.docker).catch(() => undefined);
  }

  async onTestRunEnd(): Promise<void> {
    const before = await this.before;
    if (!before) return;
    let leaks = leaksBetween(before, await engineState(this.docker));
    if (leaks.containers.length + leaks.images.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      leaks = leaksBetween(before, await engineState(this.docker));
    }
    const failing = leaks.containers.length + leaks.images.length > 0 && ['true', '1'].includes(process.env.CI ?? '');
    process.stdout.write(`${summarizeLeaks(leaks)}${failing ? ' — failing: CI allows no leaked test resource' : ''}\n`);
    if (failing) process.exitCode = 1;
  }
}
