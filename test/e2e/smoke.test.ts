// `deploy --smoke` end to end: real engine, real registry, and a fake Lambda whose Invoke runs the pushed image for real.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
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
const REPOSITORY = `e2e-smoke-${randomBytes(3).toString('hex')}`;
const PLACEHOLDER = `sha256:${'0'.repeat(64)}`;
let registry: TestRegistry;
let aws: FakeAws;
let release: ReleaseEnvironment;
/** The environment every run gets (runCli lays it over process.env). */
let env: NodeJS.ProcessEnv;

const GOOD = 'exports.handler = async (event) => ({ code: "first", event });\n';
const THROWS =
  'exports.handler = async () => { console.log("about to fail"); throw new TypeError("second is broken"); };\n';
const FAILS_INIT = 'throw new Error("cannot start");\nexports.handler = async () => "never";\n';
const SLOW = 'exports.handler = () => new Promise((resolve) => setTimeout(() => resolve("late"), 5000));\n';

async function deploy(dir: string, code: string, args: string[]): Promise<CliResult> {
  await writeFile(join(dir, 'index.js'), code);
  return runCli(['deploy', ...args], { cwd: dir, env });
}

/** What the function (or alias) answers now, through the real SDK. */
async function answerOf(name: string, qualifier?: string): Promise<unknown> {
  const answer = await new LambdaClient(release.sdk).send(
    new InvokeCommand({ FunctionName: name, Qualifier: qualifier, Payload: Buffer.from('{"probe":true}') }),
  );
  expect(answer.FunctionError).toBeUndefined();
  return JSON.parse(Buffer.from(answer.Payload!).toString());
}

describe(
  'deploy --smoke (real engine + registry, fake AWS running the image)',
  runsWhen('e2e deploy --smoke', reason),
  () => {
    beforeAll(async () => {
      // Every run gets the fake AWS and an empty HOME through its own environment; process.env stays untouched.
      release = await startReleaseEnvironment({
        docker: docker!,
        repository: REPOSITORY,
        fakeAws: { docker: docker! },
      });
      ({ registry, aws, env } = release);
    });

    afterAll(() => release?.stop());

    beforeEach(() => {
      aws.reset();
      aws.ecr.addRepository(REPOSITORY);
    });

    const project = (functionName: string) =>
      makeProject({
        'lambda.config.json': JSON.stringify({ functionName, repository: REPOSITORY, baseImage: BASE_IMAGE }),
        'index.js': GOOD,
      });

    it('$LATEST: a passing smoke test keeps the deploy; a function error rolls back to the previous digest, prints the log tail, exits 14', async () => {
      const fn = aws.lambda.addFunction({
        name: 'fn-smoke',
        imageUri: `${registry.host}/${REPOSITORY}@${PLACEHOLDER}`,
      });
      const dir = await project('fn-smoke');
      const good = await deploy(dir, GOOD, ['--tag', 'smoke-good', '--smoke', '{"n":1}', '--json']);
      expect(good.exitCode, good.stderr).toBe(ExitCode.ok);
      const goodImage = String((JSON.parse(good.stdout) as { imageUri: string }).imageUri);
      expect(aws.calls.find((c) => c.operation === 'Invoke')).toMatchObject({
        input: { FunctionName: 'fn-smoke', Payload: '{"n":1}' },
        status: 200,
      });

      await writeFile(join(dir, 'event.json'), '{"from":"file"}');
      const bad = await deploy(dir, THROWS, ['--tag', 'smoke-bad', '--smoke', 'event.json']);
      expect(bad.exitCode, bad.stderr).toBe(ExitCode.smokeFailed);
      expect(bad.stderr).toContain('warning: the smoke test failed: TypeError: second is broken');
      expect(bad.stderr).toMatch(/\| START RequestId: [0-9a-f-]+ Version: \$LATEST/);
      expect(bad.stderr).toContain('about to fail');
      expect(bad.stderr).toContain(
        `error: the smoke test of fn-smoke failed (TypeError: second is broken); rolled back: $LATEST → ${goodImage}`,
      );
      expect(fn.code.ImageUri).toBe(goodImage);
      // The record still names what ran before the good deploy: the failed deploy left no trace.
      expect(fn.tags['tslambda:previous-image']).toBe(`${registry.host}/${REPOSITORY}@${PLACEHOLDER}`);
      expect(await answerOf('fn-smoke')).toEqual({ code: 'first', event: { probe: true } });
      expect(aws.unexpected).toEqual([]);
    }, 120_000);

    it('alias: an init failure of the new version moves the alias back, and the alias serves the previous code', async () => {
      const fn = aws.lambda.addFunction({
        name: 'fn-smoke-alias',
        imageUri: `${registry.host}/${REPOSITORY}@${PLACEHOLDER}`,
      });
      const dir = await project('fn-smoke-alias');
      const good = await deploy(dir, GOOD, ['--tag', 'alias-good', '--alias', 'live', '--smoke', '{}']);
      expect(good.exitCode, good.stderr).toBe(ExitCode.ok);
      const bad = await deploy(dir, FAILS_INIT, ['--tag', 'alias-bad', '--alias', 'live', '--smoke', '{}', '--json']);
      expect(bad.exitCode, bad.stderr).toBe(ExitCode.smokeFailed);
      const error = (JSON.parse(bad.stdout) as { error: Record<string, unknown> }).error;
      expect(error).toMatchObject({
        exitCode: ExitCode.smokeFailed,
        errorType: 'Error',
        errorMessage: 'cannot start',
        restored: ['alias live → version 1', expect.stringMatching(/^\$LATEST → /)],
      });
      expect(aws.calls.filter((c) => c.operation === 'Invoke').map((c) => c.input.Qualifier)).toEqual(['1', '2']);
      expect(fn.aliases.get('live')!.FunctionVersion).toBe('1');
      expect(await answerOf('fn-smoke-alias', 'live')).toEqual({ code: 'first', event: { probe: true } });
    }, 120_000);

    it('a timeout fails the smoke test; when the rollback fails too, it names the state and the one command that restores it (exit 15)', async () => {
      const fn = aws.lambda.addFunction({
        name: 'fn-smoke-slow',
        imageUri: `${registry.host}/${REPOSITORY}@${PLACEHOLDER}`,
        timeout: 1,
      });
      const dir = await project('fn-smoke-slow');
      const good = await deploy(dir, GOOD, ['--tag', 'slow-good', '--json']);
      expect(good.exitCode, good.stderr).toBe(ExitCode.ok);
      const goodDigest = String((JSON.parse(good.stdout) as { digest: string }).digest);
      // The deploy's update succeeds; the rollback's update fails.
      aws.lambda.behaviour.nextUpdateOutcomes.push(
        { status: 'Successful' },
        { status: 'Failed', reason: 'Lambda was unable to pull the image.', reasonCode: 'ImageAccessDenied' },
      );
      const bad = await deploy(dir, SLOW, ['--tag', 'slow-bad', '--smoke', '{}']);
      expect(bad.exitCode, bad.stderr).toBe(ExitCode.rollbackFailed);
      expect(bad.stderr).toContain('warning: the smoke test failed: Sandbox.Timedout');
      expect(bad.stderr).toContain('error: the smoke test failed and so did the rollback of fn-smoke-slow');
      expect(bad.stderr).toContain(`$LATEST still runs the failing image ${fn.code.ImageUri}`);
      expect(bad.stderr).toContain(`  tslambda rollback --to ${goodDigest}`);
      expect(fn.code.ImageUri).not.toContain(goodDigest);

      const restore = await runCli(['rollback', '--to', goodDigest], { cwd: dir, env });
      expect(restore.exitCode, restore.stderr).toBe(ExitCode.ok);
      expect(await answerOf('fn-smoke-slow')).toEqual({ code: 'first', event: { probe: true } });
    }, 120_000);

    it('deploy --tail: after the update, prints what the new version logs until Ctrl-C (exit 130)', async () => {
      aws.lambda.addFunction({ name: 'fn-tail', imageUri: `${registry.host}/${REPOSITORY}@${PLACEHOLDER}` });
      const dir = await project('fn-tail');
      await writeFile(
        join(dir, 'index.js'),
        'exports.handler = async (event) => { console.log("tail sees", event.n); return "ok"; };\n',
      );
      const controller = new AbortController();
      let stdout = '';
      let finished = false;
      const run = runCli(['deploy', '--tag', 'tail', '--alias', 'live', '--tail'], {
        cwd: dir,
        env,
        signal: controller.signal,
        onStdout: (text) => (stdout = text),
      }).finally(() => (finished = true));
      // Nothing has logged yet, so the log group does not exist: the follower waits for it.
      while (!aws.operations('logs').includes('StartLiveTail') && !finished)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(finished, 'deploy --tail ended before following').toBe(false);
      const client = new LambdaClient(release.sdk);
      await client.send(
        new InvokeCommand({ FunctionName: 'fn-tail', Qualifier: 'live', Payload: Buffer.from('{"n":42}') }),
      );
      while (!stdout.includes('REPORT RequestId') && !finished) await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort(new Error('interrupted'));
      const result = await run;
      expect(result.exitCode, result.stderr).toBe(ExitCode.interrupted);
      expect(result.stderr).toContain('Following /aws/lambda/fn-tail (version 1); Ctrl-C to stop');
      expect(result.stderr).toContain(
        'warning: log group /aws/lambda/fn-tail does not exist yet (nothing logged so far); waiting for it',
      );
      const lines = stdout.split('\n').filter(Boolean);
      expect(lines[0]).toMatch(/^START RequestId: [0-9a-f-]+ Version: 1$/);
      expect(lines.some((line) => /\tINFO\ttail sees 42$/.test(line))).toBe(true);
      expect(lines.at(-1)).toMatch(/^REPORT RequestId: /);
    }, 120_000);
  },
);
