// `npm run demo` (scripts/demo.mjs) shows the function answering whatever the machine lacks: no engine at all,
// or an engine that cannot pull the example's base image (this machine's real engine cannot pull anything).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { runInImage } from '../support/docker.js';
import { runsWhen } from '../support/skips.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const ANSWER = { message: 'Hello, tslambda!', coldStart: true };

async function demo(
  env: Record<string, string | undefined>,
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const result = await run(process.execPath, ['scripts/demo.mjs'], { cwd: repo, env: { ...process.env, ...env } })
    .then((r) => ({ ...r, exitCode: 0 }))
    .catch((error: { stdout: string; stderr: string; code: number }) => ({
      stdout: error.stdout,
      stderr: error.stderr,
      exitCode: error.code,
    }));
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
}

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const engine = await docker.ping().then(
  () => undefined,
  (error: Error) => `no Docker engine answers on /var/run/docker.sock (${error.message})`,
);

describe('npm run demo', () => {
  it('without an engine runs the function as a host process, saying why in one line', {
    timeout: 120_000,
  }, async () => {
    const result = await demo({
      DOCKER_HOST: `unix:///tmp/tslambda-no-engine-${randomBytes(3).toString('hex')}.sock`,
      TSLAMBDA_BASE_IMAGE: undefined,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject(ANSWER);
    const why = result.stderr.split('\n').filter((line) => line.startsWith('demo: cannot'));
    expect(why).toEqual([
      expect.stringMatching(
        /^demo: cannot reach the Docker engine at unix:\/\/\/tmp\/tslambda-no-engine-\w+\.sock: .+; running the function as a host process \(invoke-local --no-docker\) instead$/,
      ),
    ]);
    expect(result.stderr).toMatch(/^REPORT RequestId: \S+\tDuration: /m);
  });
});

describe('npm run demo with an engine', runsWhen('e2e demo (engine)', engine), () => {
  const tag = `tslambda-local-base-test-${randomBytes(3).toString('hex')}:node${process.versions.node.split('.')[0]}`;
  // The local base, and the example's image the demo builds.
  afterAll(async () => {
    for (const image of [tag, 'tslambda-hello:latest'])
      await docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it('runs the function in a container, on a local node base when node:22-slim cannot be pulled', {
    timeout: 300_000,
  }, async () => {
    const result = await demo({ DOCKER_HOST: undefined, TSLAMBDA_BASE_IMAGE: undefined });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject(ANSWER);
    const pulled = await docker
      .getImage('node:22-slim')
      .inspect()
      .then(
        () => true,
        () => false,
      );
    const why = result.stderr.split('\n').filter((line) => line.startsWith('demo: cannot'));
    expect(why).toEqual(
      pulled
        ? []
        : [
            expect.stringMatching(
              /^demo: cannot pull node:22-slim \(.+\); building on tslambda-local-base:node\d+, made from this machine's node instead/,
            ),
          ],
    );
    expect(result.stderr).toMatch(/^Building tslambda-hello:latest /m);
    expect(result.stderr).toMatch(/^REPORT RequestId: \S+\tDuration: /m);
  });

  it("makes a node base from this machine's node through the engine API", { timeout: 300_000 }, async () => {
    // @ts-expect-error: a plain .mjs script, no types
    const { buildLocalNodeBase } = (await import('../../scripts/local-node-base.mjs')) as {
      buildLocalNodeBase: (d: Docker, t: string) => Promise<string>;
    };
    expect(await buildLocalNodeBase(docker, tag)).toBe(tag);
    const ran = await runInImage(docker, tag, ['node', '-p', 'process.version']);
    expect(ran).toMatchObject({ exitCode: 0, stdout: `${process.version}\n` });
  });
});
