// Mode `image`: the default bundled image on a real Docker engine. `tslambda build` makes one image of a trivial
// project (its base, runtime layer, ENTRYPOINT and environment are what every default image has); one more image on
// top holds every case's `tslambda bundle` output under /cases/<id>. Each case then runs in a container of its own,
// its folder as task root (LAMBDA_TASK_ROOT and working directory), against the suite's Runtime API test server.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';

/** Where the cases sit in the image; a case's task root is CASES_DIR/<id>. */
export const CASES_DIR = '/cases';

export interface ImageCase {
  id: string;
  /** Its `tslambda bundle --out-dir` folder. */
  outDir: string;
}

export interface ContainerProcess {
  exited: Promise<{ code: number | null }>;
  stop(): Promise<unknown>;
}

export const docker = new Docker({ socketPath: '/var/run/docker.sock' });

async function follow(stream: NodeJS.ReadableStream): Promise<void> {
  await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (error: Error | null, events: Array<{ error?: string }>) => {
      const failed = events?.find((event) => event.error !== undefined);
      if (error || failed) reject(error ?? new Error(`image build failed: ${failed!.error}`));
      else resolve(events);
    }),
  );
}

/**
 * Builds the image holding every case from `base` (an image `tslambda build` made); `name` must be unique to
 * this run. The cases' folders are copied into a build context under `work`.
 */
export async function buildCasesImage(base: string, cases: ImageCase[], work: string, name: string): Promise<string> {
  const context = join(work, 'image-context');
  mkdirSync(join(context, 'cases'), { recursive: true });
  for (const testCase of cases) cpSync(testCase.outDir, join(context, 'cases', testCase.id), { recursive: true });
  writeFileSync(join(context, 'Dockerfile'), `FROM ${base}\nCOPY cases/ ${CASES_DIR}/\n`);
  const stream = await docker.buildImage(
    { context, src: ['Dockerfile', 'cases'] },
    { t: name, rm: true, forcerm: true },
  );
  await follow(stream);
  return name;
}

/**
 * Runs the image's entry point on one case: `handler` as CMD, the case's folder as task root, the function
 * environment Lambda sets, host networking so that `api` (127.0.0.1:port) is the test server.
 */
export async function startContainer(options: {
  image: string;
  taskRoot: string;
  handler: string;
  api: string;
  env: Record<string, string>;
}): Promise<ContainerProcess> {
  const env = { ...options.env, AWS_LAMBDA_RUNTIME_API: options.api, LAMBDA_TASK_ROOT: options.taskRoot };
  const container = await docker.createContainer({
    Image: options.image,
    Cmd: [options.handler],
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    WorkingDir: options.taskRoot,
    HostConfig: { NetworkMode: 'host' },
  });
  // next-exit: a container that is only created counts as not running, and would be reported as exited 0.
  const exited = container.wait({ condition: 'next-exit' }).then(
    (result: { StatusCode: number }) => ({ code: result.StatusCode }),
    () => ({ code: null }),
  );
  await container.start();
  return {
    exited,
    stop: async () => {
      await container.remove({ force: true }).catch(() => {});
      return exited;
    },
  };
}

export async function removeImages(names: string[]): Promise<void> {
  for (const name of names)
    await docker
      .getImage(name)
      .remove({ force: true })
      .catch(() => {});
}
