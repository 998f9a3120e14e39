// `tslambda rollback` after real deploys: real engine, real registry, the real SDK against the fake AWS endpoint.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { runsWhen } from '../support/skips.js';
import type { FakeAws } from '../support/fake-aws/index.js';
import type { TestRegistry } from '../support/registry.js';
import { type ReleaseEnvironment, startReleaseEnvironment } from '../support/release-environment.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { makeProject } from '../support/temp-project.js';

const { docker, reason } = await dockerForTests();
const suffix = randomBytes(3).toString('hex');
const REPOSITORY = `e2e-rollback-${suffix}`;
const OLD_DIGEST = `sha256:${'0'.repeat(64)}`;
let registry: TestRegistry;
let aws: FakeAws;
let release: ReleaseEnvironment;
/** The environment every run gets (runCli lays it over process.env). */
let env: NodeJS.ProcessEnv;

const json = (result: CliResult) => JSON.parse(result.stdout) as Record<string, unknown>;
const updateCalls = () => aws.calls.filter((c) => c.operation === 'UpdateFunctionCode');

async function project(functionName: string): Promise<string> {
  return makeProject({
    'lambda.config.json': JSON.stringify({ functionName, repository: REPOSITORY, baseImage: BASE_IMAGE }),
    'index.js': 'exports.handler = async () => "first";\n',
  });
}

/** Deploys the project with `code` as its handler; returns the deploy's JSON result. */
async function deployCode(dir: string, code: string, args: string[]): Promise<Record<string, unknown>> {
  await writeFile(join(dir, 'index.js'), `exports.handler = async () => ${JSON.stringify(code)};\n`);
  const result = await runCli(['deploy', '--json', ...args], { cwd: dir, env });
  expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
  return json(result);
}

describe('tslambda rollback (real engine + registry, fake AWS)', runsWhen('e2e rollback', reason), () => {
  beforeAll(async () => {
    // Every run gets the fake AWS and an empty HOME through its own environment; process.env stays untouched.
    release = await startReleaseEnvironment({ docker: docker!, repository: REPOSITORY });
    ({ registry, aws, env } = release);
  });

  afterAll(() => release?.stop());

  beforeEach(() => {
    aws.reset();
    aws.ecr.addRepository(REPOSITORY);
  });

  it('$LATEST: each deploy records the image it replaced; rollback restores the previous digest, and a second rollback goes forward', async () => {
    const old = `${registry.host}/${REPOSITORY}@${OLD_DIGEST}`;
    const fn = aws.lambda.addFunction({ name: 'fn-roll', imageUri: old });
    const dir = await project('fn-roll');
    const first = await deployCode(dir, 'first', ['--tag', 'first']);
    expect(fn.tags['tslambda:previous-image']).toBe(old);
    const second = await deployCode(dir, 'second', ['--tag', 'second']);
    expect(second.digest).not.toBe(first.digest);
    expect(fn.tags['tslambda:previous-image']).toBe(first.imageUri);

    aws.calls.length = 0;
    const plan = await runCli(['rollback', '--dry-run', '--json'], { cwd: dir, env });
    expect(plan.exitCode, plan.stderr).toBe(ExitCode.ok);
    expect(json(plan)).toMatchObject({
      dryRun: true,
      target: '$LATEST',
      from: second.imageUri,
      to: first.imageUri,
      source: 'record',
    });
    expect(updateCalls()).toEqual([]);

    const back = await runCli(['rollback', '--json'], { cwd: dir, env });
    expect(back.exitCode, back.stderr).toBe(ExitCode.ok);
    expect(json(back)).toMatchObject({
      changed: true,
      from: second.imageUri,
      to: first.imageUri,
      undo: `aws lambda update-function-code --function-name fn-roll --image-uri ${String(second.imageUri)}`,
    });
    expect(fn.code.ResolvedImageUri).toBe(first.imageUri);
    expect(fn.config.CodeSha256).toBe(String(first.digest).replace('sha256:', ''));
    expect(fn.config.LastUpdateStatus).toBe('Successful');
    expect(fn.tags['tslambda:previous-image']).toBe(second.imageUri);

    const forward = await runCli(['rollback'], { cwd: dir, env });
    expect(forward.exitCode, forward.stderr).toBe(ExitCode.ok);
    expect(fn.code.ResolvedImageUri).toBe(second.imageUri);

    const byDigest = await runCli(['rollback', '--to', String(first.digest)], { cwd: dir, env });
    expect(byDigest.exitCode, byDigest.stderr).toBe(ExitCode.ok);
    expect(fn.code.ResolvedImageUri).toBe(first.imageUri);
    expect(aws.unexpected).toEqual([]);
  }, 120_000);

  it('alias: rollback moves it back to the version it had before the last deploy; --to picks one; nothing recorded says what to pass', async () => {
    const fn = aws.lambda.addFunction({ name: 'fn-alias', imageUri: `${registry.host}/${REPOSITORY}@${OLD_DIGEST}` });
    const dir = await project('fn-alias');
    const first = await deployCode(dir, 'first', ['--tag', 'alias-first', '--alias', 'live']);
    expect(first.version).toBe('1');

    const nothing = await runCli(['rollback', '--alias', 'live'], { cwd: dir, env });
    expect(nothing.exitCode).toBe(ExitCode.usage);
    expect(nothing.stderr).toContain('error: no earlier release of alias live of fn-alias is recorded');
    expect(nothing.stderr).toContain('hint: name the target with --to <version>');

    const second = await deployCode(dir, 'second', ['--tag', 'alias-second', '--alias', 'live']);
    expect(second.version).toBe('2');
    expect(fn.tags['tslambda:previous-version:live']).toBe('1');

    const back = await runCli(['rollback', '--alias', 'live', '--json'], { cwd: dir, env });
    expect(back.exitCode, back.stderr).toBe(ExitCode.ok);
    expect(json(back)).toMatchObject({ target: 'live', from: '2', to: '1', source: 'record' });
    expect(fn.aliases.get('live')!.FunctionVersion).toBe('1');
    // $LATEST is left alone: only the alias moved.
    expect(updateCalls().filter((c) => c.input.FunctionName === 'fn-alias')).toHaveLength(2);

    const to = await runCli(['rollback', '--alias', 'live', '--to', '2'], { cwd: dir, env });
    expect(to.exitCode, to.stderr).toBe(ExitCode.ok);
    expect(fn.aliases.get('live')!.FunctionVersion).toBe('2');
    expect(fn.tags['tslambda:previous-version:live']).toBe('1');

    const missing = await runCli(['rollback', '--alias', 'nope'], { cwd: dir, env });
    expect(missing.exitCode).toBe(ExitCode.functionNotFound);
    expect(missing.stderr).toContain('error: alias nope of fn-alias does not exist');
    expect(aws.unexpected).toEqual([]);
  }, 120_000);
});
