// `--builder codebuild` end to end: the CLI uploads the context to the fake S3 with the real SDK, the fake CodeBuild
// really runs the generated buildspec in bash (the real `aws` CLI logs in to ECR, the docker CLI builds on the real
// engine and pushes to the real registry), and the CLI verifies the digest and deploys it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { runProcess } from '../support/cli-process.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { type FakeAws, startFakeAws } from '../support/fake-aws/index.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { runsWhen } from '../support/skips.js';
import { makeProject } from '../support/temp-project.js';

const { docker, reason } = await dockerForTests();
const suffix = randomBytes(3).toString('hex');
const REPOSITORY = `e2e-codebuild-${suffix}`;
const BUCKET = `tslambda-sources-${suffix}`;
const PROJECT = `tslambda-e2e-${suffix}`;
const ROLE = 'arn:aws:iam::123456789012:role/tslambda-builder';
let registry: TestRegistry;
let aws: FakeAws;
let env: NodeJS.ProcessEnv;
const repositories = new Set([REPOSITORY]);

const configOf = (functionName: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    functionName,
    repository: REPOSITORY,
    baseImage: BASE_IMAGE,
    builder: { type: 'codebuild', project: PROJECT, bucket: BUCKET },
    ...extra,
  });

const operations = (service: string) => aws.calls.filter((c) => c.service === service).map((c) => c.operation);
const buildLog = (build: { view: { logs: { groupName: string; streamName: string } } }) =>
  (aws.logs.groups.get(build.view.logs.groupName) ?? [])
    .filter((e) => e.logStreamName === build.view.logs.streamName)
    .map((e) => e.message.trimEnd());

describe('--builder codebuild (fake CodeBuild running the buildspec, real engine + registry)', {
  timeout: 300_000,
  ...runsWhen('e2e codebuild', reason),
}, () => {
  beforeAll(async () => {
    registry = await startRegistry();
    aws = await startFakeAws({ registry: { host: registry.host, password: registry.password } });
    env = { ...aws.env, DOCKER_CONFIG: undefined, AWS_PROFILE: undefined };
  });

  afterAll(async () => {
    await aws?.close();
    await registry?.stop();
    const references = [...repositories].flatMap((r) => [
      `${r}:*`,
      `${registry?.host}/${r}:*`,
      `${registry?.host}/${r}`,
    ]);
    const images = await docker!.listImages({ filters: JSON.stringify({ reference: references }) });
    for (const image of images)
      await docker!
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => undefined);
  });

  beforeEach(() => {
    aws.reset();
    aws.ecr.addRepository(REPOSITORY);
    aws.s3.createBucket(BUCKET);
  });

  it('deploy: creates the project, builds remotely, pushes to the registry and updates the function by digest', async () => {
    const old = `${registry.host}/${REPOSITORY}@sha256:${'0'.repeat(64)}`;
    aws.lambda.addFunction({ name: 'cb-fn', imageUri: old });
    const project = await makeProject({
      'lambda.config.json': configOf('cb-fn'),
      'index.js': 'exports.handler = async () => "built remotely";\n',
    });
    const result = await runCli(
      ['deploy', '--create-builder', '--role', ROLE, '--tag', 'remote', '--json', '--verbose'],
      {
        cwd: project,
        env,
      },
    );
    expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
    const out = JSON.parse(result.stdout) as { status: string; digest: string; imageUri: string };
    expect(out.status).toBe('updated');

    // The registry serves that digest as one image manifest, and the function runs it.
    const manifest = await registry.manifest(REPOSITORY, out.digest);
    expect(manifest.status).toBe(200);
    expect(manifest.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect((await registry.manifest(REPOSITORY, 'remote')).digest).toBe(out.digest);
    expect(out.imageUri).toBe(`${registry.host}/${REPOSITORY}@${out.digest}`);
    const update = aws.calls.find((c) => c.operation === 'UpdateFunctionCode');
    expect(update?.input).toMatchObject({ FunctionName: 'cb-fn', ImageUri: out.imageUri });

    // The project was created for the function's architecture; the build ran with the variables tslambda set.
    expect(aws.codebuild.projects.get(PROJECT)).toMatchObject({
      serviceRole: ROLE,
      environment: { type: 'LINUX_CONTAINER', privilegedMode: true },
    });
    const start = aws.calls.find((c) => c.operation === 'StartBuild')!.input;
    expect(start).toMatchObject({
      environmentTypeOverride: 'LINUX_CONTAINER',
      privilegedModeOverride: true,
      buildspecOverride: 'buildspec.yml',
    });
    expect(start.environmentVariablesOverride).toEqual(
      expect.arrayContaining([
        { name: 'TSLAMBDA_IMAGE', value: `${registry.host}/${REPOSITORY}:remote`, type: 'PLAINTEXT' },
        { name: 'TSLAMBDA_CACHE_FROM', value: old, type: 'PLAINTEXT' },
      ]),
    );
    const [build] = [...aws.codebuild.builds.values()];
    expect(build!.view.buildStatus).toBe('SUCCEEDED');
    expect(build!.view.exportedEnvironmentVariables).toEqual([{ name: 'TSLAMBDA_IMAGE_DIGEST', value: out.digest }]);
    const log = buildLog(build!);
    expect(log).toContain('Login Succeeded');
    expect(log.some((l) => /Running command DOCKER_BUILDKIT=0 docker build --platform linux\/amd64/.test(l))).toBe(
      true,
    );
    // The old digest cannot be pulled: the cache step says so and the build goes on.
    expect(log.some((l) => l.startsWith('no layer cache:'))).toBe(true);
    // The log reached the terminal as the build went (--verbose prints every line).
    expect(result.stderr).toContain(`tslambda image digest: ${out.digest}`);
    for (const line of log) expect(result.stderr).toContain(line);

    // The source bundle went up and was deleted; CodeBuild, S3 and the rest were called in this order.
    expect(operations('s3')).toEqual(['PutObject', 'DeleteObject']);
    expect(operations('codebuild').slice(0, 2)).toEqual(['CreateProject', 'StartBuild']);
    expect(
      operations('codebuild')
        .slice(2)
        .every((op) => op === 'BatchGetBuilds'),
    ).toBe(true);
    expect(aws.s3.deleted).toHaveLength(1);
    expect(aws.s3.buckets.get(BUCKET)!.size).toBe(0);
    expect(aws.unexpected).toEqual([]);
  });

  it('deploy --all: a project of three functions with distinct images, one CodeBuild build each, in parallel', async () => {
    aws.codebuild.addProject(PROJECT);
    const names = ['one', 'two', 'three'];
    for (const name of names)
      aws.lambda.addFunction({
        name: `many-${name}`,
        imageUri: `${registry.host}/${REPOSITORY}@sha256:${'2'.repeat(64)}`,
      });
    // Each function bundles its own handler file: three distinct images, built once each (issue 12's grouping).
    const project = await makeProject({
      'lambda.config.json': JSON.stringify({
        repository: REPOSITORY,
        baseImage: BASE_IMAGE,
        builder: { type: 'codebuild', project: PROJECT, bucket: BUCKET },
        functions: Object.fromEntries(names.map((name) => [`many-${name}`, { handler: `${name}.handler` }])),
      }),
      ...Object.fromEntries(
        names.map((name) => [`${name}.js`, `exports.handler = async () => ${JSON.stringify(name)};\n`]),
      ),
    });
    const result = await runCli(['deploy', '--all', '--concurrency', '3', '--tag', 'many', '--json'], {
      cwd: project,
      env,
    });
    expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
    const builds = [...aws.codebuild.builds.values()].map((b) => b.view);
    expect(builds).toHaveLength(3);
    expect(builds.every((b) => b.buildStatus === 'SUCCEEDED')).toBe(true);
    // In parallel: every build started before any of them ended.
    expect(Math.max(...builds.map((b) => b.startTime))).toBeLessThan(Math.min(...builds.map((b) => b.endTime!)));
    // Each function runs its own build's digest, served by the registry; no local engine built anything.
    const updates = aws.calls.filter((c) => c.operation === 'UpdateFunctionCode');
    expect(updates.map((u) => u.input.FunctionName).sort()).toEqual(names.map((name) => `many-${name}`).sort());
    const digests = updates.map((u) => String(u.input.ImageUri).split('@')[1]!);
    expect(new Set(digests).size).toBe(3);
    for (const digest of digests) expect((await registry.manifest(REPOSITORY, digest)).status).toBe(200);
    expect(aws.s3.deleted).toHaveLength(3);
    expect(aws.unexpected).toEqual([]);
  });

  it('a failing build names its phase and last log lines, exit code 4, and its source bundle is deleted', async () => {
    aws.codebuild.addProject(PROJECT);
    aws.lambda.addFunction({ name: 'cb-broken', imageUri: `${registry.host}/${REPOSITORY}@sha256:${'1'.repeat(64)}` });
    const project = await makeProject({
      'lambda.config.json': configOf('cb-broken'),
      Dockerfile: `FROM ${BASE_IMAGE}\nCOPY not-there.txt /var/task/\n`,
      'index.js': 'exports.handler = async () => 1;\n',
    });
    const result: CliResult = await runCli(['deploy', '--tag', 'broken'], { cwd: project, env });
    expect(result.exitCode, result.stderr).toBe(ExitCode.buildFailed);
    expect(result.stderr).toMatch(
      /error: CodeBuild build \S+ failed in phase BUILD: Error while executing command: DOCKER_BUILDKIT=0 docker build/,
    );
    expect(result.stderr).toMatch(/ {2}\| .*not-there\.txt/);
    expect(aws.calls.some((c) => c.operation === 'UpdateFunctionCode')).toBe(false);
    expect(aws.s3.deleted).toHaveLength(1);
    expect(operations('codebuild')).not.toContain('StopBuild');
  });

  it('Ctrl-C stops the build (StopBuild, its shell killed) and deletes the source bundle, exit code 130', async () => {
    aws.codebuild.addProject(PROJECT);
    aws.lambda.addFunction({ name: 'cb-slow', imageUri: `${registry.host}/${REPOSITORY}@sha256:${'2'.repeat(64)}` });
    const project = await makeProject({
      'lambda.config.json': configOf('cb-slow'),
      Dockerfile: `FROM ${BASE_IMAGE}\nRUN ["node", "-e", "console.log('slow step'); setTimeout(() => {}, 120000)"]\n`,
      'index.js': 'exports.handler = async () => 1;\n',
    });
    const run = await runProcess(['deploy', '--tag', 'slow', '--verbose'], {
      cwd: project,
      env,
      boundMs: 90_000,
      interrupt: { when: /slow step/ },
    });
    expect(run.hung).toBe(false);
    expect(run.exitCode, run.stderr).toBe(ExitCode.interrupted);
    expect(operations('codebuild')).toContain('StopBuild');
    const [build] = [...aws.codebuild.builds.values()];
    await build!.done;
    expect(build!.view.buildStatus).toBe('STOPPED');
    expect(build!.view.phases.find((p) => p.phaseType === 'BUILD')?.phaseStatus).toBe('STOPPED');
    // The BUILD phase's shell (the last one started) was killed, not left to finish its two minutes.
    expect(build!.shells.at(-1)!.signalCode).toBe('SIGKILL');
    expect(aws.s3.deleted).toHaveLength(1);
    expect(aws.s3.buckets.get(BUCKET)!.size).toBe(0);
    expect(aws.calls.some((c) => c.operation === 'UpdateFunctionCode')).toBe(false);
  });
});
