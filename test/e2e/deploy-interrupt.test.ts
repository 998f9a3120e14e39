// Ctrl-C at each stage of a deploy, sent as SIGINT to the real tslambda process (bin/tslambda.js through its
// shebang): it exits 130 and its one error line names the stage and the state the function was left in, which the
// fake AWS confirms. Real engine and registry; the fake AWS runs the pushed images on Invoke.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { firstErrorLine, runProcess, type ProcessRun } from '../support/cli-process.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { startFakeAws } from '../support/fake-aws/index.js';
import { startFaultProxy } from '../support/proxy.js';
import { type ReleaseEnvironment, startReleaseEnvironment } from '../support/release-environment.js';
import { runCli } from '../support/run-cli.js';
import { runsWhen } from '../support/skips.js';
import { makeProject } from '../support/temp-project.js';

const { docker, reason } = await dockerForTests();
const REPOSITORY = `e2e-interrupt-${randomBytes(3).toString('hex')}`;
const PLACEHOLDER = `sha256:${'0'.repeat(64)}`;
const DIGEST_LINE = 'sha256:[0-9a-f]{64}';
let release: ReleaseEnvironment;

async function project(name: string, files: Record<string, string> = {}): Promise<string> {
  release.aws.lambda.addFunction({
    name,
    imageUri: `${release.registry.host}/${REPOSITORY}@${PLACEHOLDER}`,
    timeout: 30,
  });
  return makeProject({
    'lambda.config.json': JSON.stringify({ functionName: name, repository: REPOSITORY, baseImage: BASE_IMAGE }),
    'index.js': 'exports.handler = async () => "ok";\n',
    ...files,
  });
}

/** `tslambda deploy …` as a process, SIGINT once its output matches `when` (and `afterMs` later). */
function deployInterrupted(
  cwd: string,
  args: string[],
  when: RegExp,
  options: { afterMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<ProcessRun> {
  return runProcess(['deploy', ...args], {
    cwd,
    env: options.env ?? release.env,
    boundMs: 150_000,
    interrupt: { when, signal: 'SIGINT', afterMs: options.afterMs },
  });
}

function expectInterrupted(run: ProcessRun): void {
  expect(run.hung, run.stderr).toBe(false);
  expect(run.signalledAt, run.stderr).toBeDefined();
  expect(run.exitCode, run.stderr).toBe(ExitCode.interrupted);
}

const updates = (name: string) =>
  release.aws.calls.filter((c) => c.operation === 'UpdateFunctionCode' && c.input.FunctionName === name);

describe('Ctrl-C at each deploy stage (SIGINT to the process)', runsWhen('e2e deploy interrupted', reason), () => {
  beforeAll(async () => {
    release = await startReleaseEnvironment({ docker: docker!, repository: REPOSITORY, fakeAws: { docker: docker! } });
  });
  afterAll(() => release?.stop());
  beforeEach(() => {
    release.aws.reset();
    release.aws.ecr.addRepository(REPOSITORY);
  });

  it('build: nothing pushed, the function unchanged', async () => {
    const dir = await project('fn-stop-build', {
      // A build step that takes its time, so that the signal lands in it.
      Dockerfile: `FROM ${BASE_IMAGE}\nRUN ["node", "-e", "setTimeout(() => {}, 20000) // ${REPOSITORY}, never cached"]\nCOPY index.js /var/task/\nCMD ["index.handler"]\n`,
    });
    const run = await deployInterrupted(dir, [], /Building e2e-interrupt-/, { afterMs: 2000 });
    expectInterrupted(run);
    expect(firstErrorLine(run.stderr)).toBe(
      'interrupted during the build: nothing was pushed, and fn-stop-build is unchanged',
    );
    expect(updates('fn-stop-build')).toEqual([]);
    expect(release.aws.operations('ecr')).not.toContain('GetAuthorizationToken');
  }, 180_000);

  it('push (the registry stalls): the function unchanged', async () => {
    const [host, port] = release.registry.host.split(':');
    const proxy = await startFaultProxy({ host: host!, port: Number(port) }, { kind: 'stall', from: 1 });
    // An AWS whose ECR hands out the stalled registry.
    const aws = await startFakeAws({ registry: { host: proxy.host, password: release.registry.password } });
    try {
      aws.ecr.addRepository(REPOSITORY);
      const fn = aws.lambda.addFunction({
        name: 'fn-stop-push',
        imageUri: `${proxy.host}/${REPOSITORY}@${PLACEHOLDER}`,
      });
      const dir = await makeProject({
        'lambda.config.json': JSON.stringify({
          functionName: 'fn-stop-push',
          repository: REPOSITORY,
          baseImage: BASE_IMAGE,
        }),
        'index.js': 'exports.handler = async () => "ok";\n',
      });
      const run = await deployInterrupted(dir, [], /Pushing /, { afterMs: 1000, env: { ...release.env, ...aws.env } });
      expectInterrupted(run);
      expect(firstErrorLine(run.stderr)).toBe(
        'interrupted during the push: fn-stop-push is unchanged (the repository may keep the layers already sent)',
      );
      expect(aws.operations('lambda')).toEqual(['GetFunction']);
      expect(fn.code.ImageUri).toBe(`${proxy.host}/${REPOSITORY}@${PLACEHOLDER}`);
    } finally {
      await aws.close();
      await proxy.close();
      const images = await docker!.listImages({
        filters: JSON.stringify({ reference: [`${proxy.host}/${REPOSITORY}:*`] }),
      });
      for (const image of images)
        await docker!
          .getImage(image.Id)
          .remove({ force: true })
          .catch(() => undefined);
    }
  }, 180_000);

  it('update wait: Lambda still updating, said so, with the command that goes back', async () => {
    const dir = await project('fn-stop-update');
    release.aws.lambda.behaviour.updatePolls = 100_000;
    const run = await deployInterrupted(dir, ['--verbose'], /waiting for Lambda to finish the update/);
    expectInterrupted(run);
    expect(firstErrorLine(run.stderr)).toBe(
      'interrupted while Lambda updates fn-stop-update: Lambda is still updating fn-stop-update (LastUpdateStatus InProgress); it goes on without tslambda',
    );
    expect(run.stderr).toContain(`hint: to go back once it settles: tslambda rollback --to ${PLACEHOLDER}`);
    expect(updates('fn-stop-update')).toHaveLength(1);
    expect(release.aws.lambda.functions.get('fn-stop-update')!.config.LastUpdateStatus).toBe('InProgress');
  }, 180_000);

  it('publish/alias: $LATEST runs the new image, no version, the alias unchanged', async () => {
    const dir = await project('fn-stop-publish');
    // PublishVersion is throttled: the SDK is backing off when the signal comes.
    release.aws.throttle('PublishVersion', 10);
    const run = await deployInterrupted(dir, ['--alias', 'live'], /Publishing a version of fn-stop-publish/);
    expectInterrupted(run);
    expect(firstErrorLine(run.stderr)).toMatch(
      new RegExp(
        `^interrupted after the update of fn-stop-publish: \\$LATEST runs ${DIGEST_LINE}; alias live is unchanged$`,
      ),
    );
    expect(run.stderr).toContain(`hint: to go back to what ran before: tslambda rollback --to ${PLACEHOLDER}`);
    const fn = release.aws.lambda.functions.get('fn-stop-publish')!;
    expect(fn.versions).toEqual([]);
    expect(fn.aliases.size).toBe(0);
  }, 180_000);

  it('smoke test: the new code runs, untried, with the command that goes back', async () => {
    const dir = await project('fn-stop-smoke');
    await writeFile(
      join(dir, 'index.js'),
      'exports.handler = () => new Promise((resolve) => setTimeout(() => resolve("late"), 8000));\n',
    );
    const run = await deployInterrupted(dir, ['--smoke', '{}'], /Smoke test: invoking fn-stop-smoke/, { afterMs: 500 });
    expectInterrupted(run);
    expect(firstErrorLine(run.stderr)).toBe(
      'interrupted during the smoke test: fn-stop-smoke runs the new code, which was not tried',
    );
    expect(run.stderr).toContain(`tslambda rollback --to ${PLACEHOLDER}`);
  }, 180_000);

  it('canary bake: the alias back on the old version alone', async () => {
    const dir = await project('fn-stop-bake');
    const first = await runCli(['deploy', '--alias', 'live'], { cwd: dir, env: release.env });
    expect(first.exitCode, first.stderr).toBe(ExitCode.ok);
    await writeFile(join(dir, 'index.js'), 'exports.handler = async () => "second";\n');
    const run = await deployInterrupted(
      dir,
      ['--alias', 'live', '--canary', '50%', '--bake', '10m'],
      /Baking version 2/,
    );
    expectInterrupted(run);
    expect(firstErrorLine(run.stderr)).toBe(
      'interrupted during the canary: alias live is back on version 1 alone (the weight to version 2 removed); $LATEST runs the new image',
    );
    expect(release.aws.lambda.functions.get('fn-stop-bake')!.aliases.get('live')).toMatchObject({
      FunctionVersion: '1',
      RoutingConfig: undefined,
    });
  }, 180_000);
});
