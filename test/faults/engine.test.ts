// The engine side: a context tslambda cannot send, and an engine that goes away mid-build (every connection to it
// cut by a proxy in front of the real socket, as a crash or restart does).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstErrorLine, runProcess } from '../support/cli-process.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { startFaultProxy, type FaultProxy } from '../support/proxy.js';
import { runCli } from '../support/run-cli.js';
import { makeProject } from '../support/temp-project.js';

const { docker, reason } = await dockerForTests();

describe('a build context with a fifo', () => {
  it('is one line naming the file and the .dockerignore fix, exit 4 (it said "unsupported type")', async () => {
    const project = await makeProject({
      'lambda.config.json': JSON.stringify({
        functionName: 'faults-fifo',
        handler: 'index.handler',
        baseImage: BASE_IMAGE,
      }),
      'index.mjs': 'export const handler = async () => 1;',
      Dockerfile: `FROM ${BASE_IMAGE}\nCOPY index.mjs /var/task/\n`,
    });
    execFileSync('mkfifo', [join(project, 'pipe')]);
    const result = await runCli(['build', '--cwd', project], { env: { DOCKER_HOST: 'unix:///var/run/docker.sock' } });
    expect(result.exitCode).toBe(4);
    expect(firstErrorLine(result.stderr)).toBe(
      'the build context holds a named pipe (fifo), which cannot be sent to the engine: pipe',
    );
    expect(result.stderr).toContain('hint: add `pipe` to .dockerignore');
  });

  it('builds once the fifo is in .dockerignore', async () => {
    if (!docker) return expect(reason).toBeDefined();
    const project = await makeProject({
      'lambda.config.json': JSON.stringify({
        functionName: `faults-fifo-ok-${process.pid}`,
        handler: 'index.handler',
        baseImage: BASE_IMAGE,
      }),
      'index.mjs': 'export const handler = async () => 1;',
      '.dockerignore': 'pipe\n',
      Dockerfile: `FROM ${BASE_IMAGE}\nCOPY index.mjs /var/task/\n`,
    });
    execFileSync('mkfifo', [join(project, 'pipe')]);
    const result = await runCli(['build', '--cwd', project]);
    expect(result.stderr).not.toContain('error:');
    expect(result.exitCode).toBe(0);
    await docker.getImage(`faults-fifo-ok-${process.pid}:latest`).remove({ force: true });
  }, 60_000);
});

describe.skipIf(!docker)(`an engine that goes away mid-build ${reason ?? ''}`, () => {
  let proxy: FaultProxy;
  const functionName = `faults-engine-${process.pid}`;
  beforeAll(async () => {
    proxy = await startFaultProxy({ path: '/var/run/docker.sock' }, { kind: 'status', from: Number.MAX_SAFE_INTEGER });
  });
  afterAll(async () => {
    await proxy.close();
    await docker!
      .getImage(`${functionName}:latest`)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it('names the lost engine and the step, exit 3 (it said only "aborted"), and the process ends', async () => {
    const project = await makeProject({
      'lambda.config.json': JSON.stringify({ functionName, handler: 'index.handler', baseImage: BASE_IMAGE }),
      'index.mjs': 'export const handler = async () => 1;',
      Dockerfile: `FROM ${BASE_IMAGE}\nRUN ["node", "-e", "setTimeout(() => {}, 15000)"]\nCOPY index.mjs /var/task/\n`,
    });
    const run = runProcess(['build', '--no-cache', '--cwd', project], {
      env: { DOCKER_HOST: `tcp://${proxy.host}` },
      boundMs: 60_000,
    });
    // Cut every connection once the RUN step is under way: its container exists (a fixed delay was too short on a loaded machine).
    const cutWhenRunning = (async () => {
      for (const started = Date.now(); Date.now() - started < 45_000; await new Promise((r) => setTimeout(r, 200))) {
        const containers = await docker!.listContainers();
        if (containers.some((c) => c.Command.includes('setTimeout(() => {}, 15000)'))) return proxy.cut();
      }
    })();
    const result = await run;
    await cutWhenRunning;
    expect(result.hung).toBe(false);
    expect(result.exitCode).toBe(3);
    expect(firstErrorLine(result.stderr)).toMatch(
      /^lost the connection to the Docker engine during the build at step 2\/\d+ \(RUN .*\) \(aborted\); the engine stopped or restarted$/,
    );
  }, 60_000);
});
