// What every release e2e suite starts: a real registry, the fake AWS over it, an empty HOME, and the environment
// that points a run at them (passed to runCli, never written to process.env); stop() removes it all, images included.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { type FakeAws, type FakeAwsOptions, startFakeAws } from './fake-aws/index.js';
import { startRegistry, type TestRegistry } from './registry.js';

export interface ReleaseEnvironment {
  registry: TestRegistry;
  aws: FakeAws;
  home: string;
  /** For runCli / runProcess: the fake AWS, the empty HOME, and no DOCKER_CONFIG or AWS_PROFILE of the developer. */
  env: NodeJS.ProcessEnv;
  /** Options for an SDK client of the test itself (no reading of process.env). */
  sdk: { endpoint: string; region: string; credentials: FakeAws['credentials'] };
  stop(): Promise<void>;
}

export async function startReleaseEnvironment(options: {
  docker: Docker;
  /** The repository the suite pushes to: its local and pushed images are removed by stop(). */
  repository: string;
  fakeAws?: Omit<FakeAwsOptions, 'registry'>;
}): Promise<ReleaseEnvironment> {
  const { docker, repository } = options;
  const registry = await startRegistry();
  const aws = await startFakeAws({
    registry: { host: registry.host, password: registry.password },
    ...options.fakeAws,
  });
  const home = await mkdtemp(join(tmpdir(), 'tslambda-home-'));
  return {
    registry,
    aws,
    home,
    env: { ...aws.env, HOME: home, DOCKER_CONFIG: undefined, AWS_PROFILE: undefined },
    sdk: { endpoint: aws.endpoint, region: aws.region, credentials: aws.credentials },
    async stop() {
      await aws.close();
      await registry.stop();
      await rm(home, { recursive: true, force: true });
      const images = await docker.listImages({
        // Also the images a suite names after its repository (e.g. cjs-handler's `<repository>-shape`).
        filters: JSON.stringify({
          reference: [`${repository}:*`, `${repository}-*:*`, `${registry.host}/${repository}:*`],
        }),
      });
      for (const image of images)
        await docker
          .getImage(image.Id)
          .remove({ force: true })
          .catch(() => undefined);
    },
  };
}
