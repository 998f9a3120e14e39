// `deploy --alias live --canary …` end to end: real engine and registry, the fake AWS running the pushed images on
// Invoke and recording Lambda's own Errors/Invocations per executed version, read back by the CLI with GetMetricData.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { type ReleaseEnvironment, startReleaseEnvironment } from '../support/release-environment.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { runsWhen } from '../support/skips.js';
import { makeProject } from '../support/temp-project.js';

const { docker, reason } = await dockerForTests();
const REPOSITORY = `e2e-canary-${randomBytes(3).toString('hex')}`;
const PLACEHOLDER = `sha256:${'0'.repeat(64)}`;
let release: ReleaseEnvironment;

const FIRST = 'exports.handler = async () => ({ code: "first" });\n';
const SECOND = 'exports.handler = async () => ({ code: "second" });\n';
const THROWS = 'exports.handler = async () => { throw new RangeError("second is broken"); };\n';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function project(functionName: string): Promise<string> {
  release.aws.lambda.addFunction({
    name: functionName,
    imageUri: `${release.registry.host}/${REPOSITORY}@${PLACEHOLDER}`,
  });
  return makeProject({
    'lambda.config.json': JSON.stringify({
      functionName,
      repository: REPOSITORY,
      baseImage: BASE_IMAGE,
      alias: 'live',
    }),
    'index.js': FIRST,
  });
}

async function deploy(dir: string, code: string, args: string[], signal?: AbortSignal): Promise<CliResult> {
  await writeFile(join(dir, 'index.js'), code);
  return runCli(['deploy', ...args], { cwd: dir, env: release.env, signal });
}

/** Starts a canary deploy in the background and resolves once the alias routes a weight to the new version. */
async function canaryRunning(name: string, run: Promise<CliResult>): Promise<Record<string, number>> {
  let finished = false;
  void run.finally(() => (finished = true));
  for (;;) {
    const weights = release.aws.lambda.functions.get(name)!.aliases.get('live')!
      .RoutingConfig?.AdditionalVersionWeights;
    if (weights) return weights;
    if (finished) throw new Error(`the deploy ended before shifting any traffic: ${(await run).stderr}`);
    await sleep(50);
  }
}

/** Invokes the alias until Lambda runs `version` behind it; returns what that invocation answered. */
async function invokeUntilVersion(name: string, version: string): Promise<{ functionError?: string }> {
  const client = new LambdaClient(release.sdk);
  for (let attempt = 0; attempt < 40; attempt++) {
    const answer = await client.send(
      new InvokeCommand({ FunctionName: name, Qualifier: 'live', Payload: Buffer.from('{}') }),
    );
    if (answer.ExecutedVersion === version) return { functionError: answer.FunctionError };
  }
  throw new Error(`40 invocations of ${name}:live never ran version ${version}`);
}

async function answerOf(name: string): Promise<unknown> {
  const answer = await new LambdaClient(release.sdk).send(
    new InvokeCommand({ FunctionName: name, Qualifier: 'live', Payload: Buffer.from('{}') }),
  );
  expect(answer.FunctionError).toBeUndefined();
  return JSON.parse(Buffer.from(answer.Payload!).toString());
}

describe(
  'deploy --canary (real engine + registry, fake AWS with metrics)',
  runsWhen('e2e deploy --canary', reason),
  () => {
    beforeAll(async () => {
      release = await startReleaseEnvironment({
        docker: docker!,
        repository: REPOSITORY,
        fakeAws: { docker: docker! },
      });
    });
    afterAll(() => release?.stop());
    beforeEach(() => {
      release.aws.reset();
      release.aws.ecr.addRepository(REPOSITORY);
    });

    it('errors of the new version behind the alias roll the weight back: alias on the old version alone, $LATEST restored, exit 14', async () => {
      const dir = await project('fn-canary-bad');
      const first = await deploy(dir, FIRST, ['--tag', 'first', '--json']);
      expect(first.exitCode, first.stderr).toBe(ExitCode.ok);
      const firstImage = String((JSON.parse(first.stdout) as { imageUri: string }).imageUri);

      const run = deploy(dir, THROWS, ['--tag', 'bad', '--canary', '50%', '--bake', '120s', '--json']);
      expect(await canaryRunning('fn-canary-bad', run)).toEqual({ '2': 0.5 });
      // Real traffic through the alias: the invocation that lands on version 2 fails, and Lambda's metrics say so.
      expect(await invokeUntilVersion('fn-canary-bad', '2')).toEqual({ functionError: 'Unhandled' });
      const result = await run;
      expect(result.exitCode, result.stderr).toBe(ExitCode.smokeFailed);
      const error = (JSON.parse(result.stdout) as { error: Record<string, unknown> }).error;
      expect(error).toMatchObject({
        exitCode: ExitCode.smokeFailed,
        function: 'fn-canary-bad',
        canary: { weight: 0.5, errors: 1, errorRate: 1 },
        restored: ['alias live → version 1', `$LATEST → ${firstImage}`],
      });
      expect(String(error.message)).toMatch(
        /^the canary of fn-canary-bad failed \(1 errors in 1 invocations \(100%, limit 0%\)\)/,
      );
      const fn = release.aws.lambda.functions.get('fn-canary-bad')!;
      expect(fn.aliases.get('live')).toMatchObject({ FunctionVersion: '1', RoutingConfig: undefined });
      expect(fn.code.ImageUri).toBe(firstImage);
      expect(await answerOf('fn-canary-bad')).toEqual({ code: 'first' });
      // Every metric read asked for version 2 behind the alias.
      const reads = release.aws.calls.filter((c) => c.operation === 'GetMetricData');
      expect(reads.length).toBeGreaterThan(0);
      for (const read of reads)
        expect(JSON.stringify(read.input)).toContain(
          '[{"Name":"FunctionName","Value":"fn-canary-bad"},{"Name":"Resource","Value":"fn-canary-bad:live"},{"Name":"ExecutedVersion","Value":"2"}]',
        );
      expect(release.aws.unexpected).toEqual([]);
    }, 240_000);

    it('a quiet bake promotes the new version to 100% of the alias, routing cleared, and records the old one for rollback', async () => {
      const dir = await project('fn-canary-good');
      const first = await deploy(dir, FIRST, ['--tag', 'good-first']);
      expect(first.exitCode, first.stderr).toBe(ExitCode.ok);

      const run = deploy(dir, SECOND, ['--tag', 'good-second', '--canary', '10%', '--bake', '4s']);
      expect(await canaryRunning('fn-canary-good', run)).toEqual({ '2': 0.1 });
      // Traffic that succeeds, as CloudWatch would report it for version 2 behind the alias.
      release.aws.metrics.push({
        metricName: 'Invocations',
        dimensions: { FunctionName: 'fn-canary-good', Resource: 'fn-canary-good:live', ExecutedVersion: '2' },
        value: 20,
      });
      const result = await run;
      expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
      expect(result.stderr).toContain('Routing 10% of alias live to version 2 (version 1 keeps the rest)');
      expect(result.stderr).toMatch(/\n {2}\d+s left · 0 errors \/ 20 invocations\n/);
      expect(result.stderr).toContain('✔ Promoting version 2 to 100% of alias live');
      expect(result.stderr).toContain('  canary     0 errors / 20 invocations, promoted');
      const fn = release.aws.lambda.functions.get('fn-canary-good')!;
      expect(fn.aliases.get('live')).toMatchObject({ FunctionVersion: '2', RoutingConfig: undefined });
      expect(fn.tags['tslambda:previous-version:live']).toBe('1');
      expect(await answerOf('fn-canary-good')).toEqual({ code: 'second' });
      expect(release.aws.unexpected).toEqual([]);
    }, 240_000);

    it('when the rollback fails too, exit 15 names the state the alias is in and the command that restores it', async () => {
      const dir = await project('fn-canary-stuck');
      const first = await deploy(dir, FIRST, ['--tag', 'stuck-first']);
      expect(first.exitCode, first.stderr).toBe(ExitCode.ok);

      const run = deploy(dir, SECOND, ['--tag', 'stuck-second', '--canary', '50%', '--bake', '120s']);
      expect(await canaryRunning('fn-canary-stuck', run)).toEqual({ '2': 0.5 });
      // The rollback's UpdateAlias is refused; the errors come from CloudWatch before their invocations do.
      release.aws.deny('UpdateAlias');
      release.aws.metrics.push({
        metricName: 'Errors',
        dimensions: { FunctionName: 'fn-canary-stuck', Resource: 'fn-canary-stuck:live', ExecutedVersion: '2' },
        value: 3,
      });
      const result = await run;
      expect(result.exitCode, result.stderr).toBe(ExitCode.rollbackFailed);
      expect(result.stderr).toContain(
        'warning: the canary of version 2 failed: 3 errors in 0 invocations (100%, limit 0%)',
      );
      expect(result.stderr).toContain(
        'error: the canary failed and so did the rollback of fn-canary-stuck: UpdateAlias fn-canary-stuck:live failed: AccessDenied',
      );
      expect(result.stderr).toContain('hint: now: alias live still sends part of its traffic to the failing version 2');
      expect(result.stderr).toContain('  tslambda rollback --alias live --to 1');
      expect(release.aws.lambda.functions.get('fn-canary-stuck')!.aliases.get('live')).toMatchObject({
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } },
      });
    }, 240_000);

    it('metrics it may not read stop the canary: the weight removed, the AWS error and its permission named (exit 6)', async () => {
      const dir = await project('fn-canary-blind');
      const first = await deploy(dir, FIRST, ['--tag', 'blind-first']);
      expect(first.exitCode, first.stderr).toBe(ExitCode.ok);
      release.aws.deny('GetMetricData');
      const result = await deploy(dir, SECOND, ['--tag', 'blind-second', '--canary', '50%', '--bake', '5s']);
      expect(result.exitCode, result.stderr).toBe(ExitCode.awsError);
      expect(result.stderr).toMatch(
        /error: the canary could not watch version 2: GetMetricData AWS\/Lambda fn-canary-blind:live failed: AccessDenied: .*; alias live is back on version 1 alone; \$LATEST runs the new image\n/,
      );
      expect(result.stderr).toContain('hint: grant cloudwatch:GetMetricData to the identity tslambda runs as');
      expect(release.aws.lambda.functions.get('fn-canary-blind')!.aliases.get('live')).toMatchObject({
        FunctionVersion: '1',
        RoutingConfig: undefined,
      });
    }, 240_000);

    it('Ctrl-C during the bake leaves the alias on the old version alone and says so (exit 130)', async () => {
      const dir = await project('fn-canary-stop');
      const first = await deploy(dir, FIRST, ['--tag', 'stop-first']);
      expect(first.exitCode, first.stderr).toBe(ExitCode.ok);

      const controller = new AbortController();
      const run = deploy(dir, SECOND, ['--tag', 'stop-second', '--canary', '25%', '--bake', '10m'], controller.signal);
      expect(await canaryRunning('fn-canary-stop', run)).toEqual({ '2': 0.25 });
      controller.abort(new Error('interrupted'));
      const result = await run;
      expect(result.exitCode, result.stderr).toBe(ExitCode.interrupted);
      expect(result.stderr).toContain(
        'error: interrupted during the canary: alias live is back on version 1 alone (the weight to version 2 removed); $LATEST runs the new image',
      );
      expect(result.stderr).toMatch(/hint: to put \$LATEST back too: tslambda rollback --to sha256:[0-9a-f]{64}/);
      const fn = release.aws.lambda.functions.get('fn-canary-stop')!;
      expect(fn.aliases.get('live')).toMatchObject({ FunctionVersion: '1', RoutingConfig: undefined });
      expect(await answerOf('fn-canary-stop')).toEqual({ code: 'first' });
    }, 240_000);
  },
);
