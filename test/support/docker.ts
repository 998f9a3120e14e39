// What end-to-end tests need from the machine: a Docker engine and the FROM-scratch node base image.
import Docker from 'dockerode';

export const BASE_IMAGE = process.env.TSLAMBDA_TEST_BASE_IMAGE ?? 'tslambda-test-base:node20';

export interface DockerAvailability {
  docker?: Docker;
  /** Why the e2e tests cannot run, when they cannot. */
  reason?: string;
}

/**
 * Locally a missing engine skips the e2e suites with the reason (pass it to runsWhen); in CI (CI=true) it fails them, since
 * .ci/run is expected to have started one.
 */
export async function dockerForTests(): Promise<DockerAvailability> {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  try {
    await docker.ping();
  } catch (error) {
    return fail(
      `no Docker engine answers on /var/run/docker.sock (${(error as Error).message}); run scripts/docker-up.sh`,
    );
  }
  try {
    await docker.getImage(BASE_IMAGE).inspect();
  } catch {
    return fail(`base image ${BASE_IMAGE} is missing; run scripts/base-image.sh`);
  }
  return { docker };
}

function fail(reason: string): DockerAvailability {
  if (process.env.CI === 'true' || process.env.CI === '1')
    throw new Error(`e2e prerequisites missing in CI: ${reason}`);
  // The run's last line (test/support/skip-summary.ts) names the skipped groups with this reason.
  return { reason };
}

/** Runs a command in a container of `image` and returns its stdout (demultiplexed) and exit code. */
export async function runInImage(
  docker: Docker,
  image: string,
  cmd: string[],
  entrypoint: string[] = [],
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: entrypoint,
    Cmd: cmd,
    HostConfig: { NetworkMode: 'host' },
  });
  try {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const { PassThrough } = await import('node:stream');
    const o = new PassThrough().on('data', (c: Buffer) => out.push(c));
    const e = new PassThrough().on('data', (c: Buffer) => err.push(c));
    const ended = new Promise((resolve) => stream.on('end', resolve));
    docker.modem.demuxStream(stream, o, e);
    await container.start();
    const { StatusCode } = await container.wait();
    await ended;
    return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), exitCode: StatusCode };
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
}

/**
 * A base image of the suite's own: BASE_IMAGE with one label, so its image ID (the parent of every build step) is
 * the suite's alone. The classic builder keys its cache on the parent: when other suites build the same steps on
 * BASE_IMAGE at the same moment, racing cache misses can leave two equal parents, and a rebuild of an unchanged
 * project may then come out as another image ID. Suites that assert a rebuild is the very same image build on this.
 */
export async function suiteBaseImage(docker: Docker, name: string): Promise<string> {
  const { pack } = await import('tar-stream');
  const context = pack();
  context.entry({ name: 'Dockerfile' }, `FROM ${BASE_IMAGE}\nLABEL dev.tslambda.test-suite=${name}\n`);
  context.finalize();
  const tag = `${name}-base:latest`;
  const stream = await docker.buildImage(context as unknown as NodeJS.ReadableStream, { t: tag, rm: true });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null, events: Array<{ error?: string }>) => {
      const failed = error?.message ?? events.find((event) => event.error)?.error;
      if (failed) reject(new Error(`building ${tag}: ${failed}`));
      else resolve();
    }),
  );
  return tag;
}
