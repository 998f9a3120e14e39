// `tslambda deploy` against an AWS emulator that does not resolve digests (real engine, real registry, real SDK):
// its ResolvedImageUri and CodeSha256 hash the URI, so "already runs this image" must also read Code.ImageUri.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import type { FakeAws } from '../support/fake-aws/index.js';
import type { TestRegistry } from '../support/registry.js';
import { type ReleaseEnvironment, startReleaseEnvironment } from '../support/release-environment.js';
import { runCli } from '../support/run-cli.js';
import { runsWhen } from '../support/skips.js';
import { makeProject } from '../support/temp-project.js';

const { docker, reason } = await dockerForTests();
const REPOSITORY = `e2e-emulator-${randomBytes(3).toString('hex')}`;
let registry: TestRegistry;
let aws: FakeAws;
let release: ReleaseEnvironment;
/** The environment every run gets (runCli lays it over process.env). */
let env: NodeJS.ProcessEnv;

const callsOf = (operation: string) => aws.calls.filter((c) => c.operation === operation);

describe('deploy against an emulator that hashes the image URI', runsWhen('e2e deploy (emulator)', reason), () => {
  beforeAll(async () => {
    // Every run gets the fake AWS and an empty HOME through its own environment; process.env stays untouched.
    release = await startReleaseEnvironment({
      docker: docker!,
      repository: REPOSITORY,
      fakeAws: { codeIdentity: 'emulator' },
    });
    ({ registry, aws, env } = release);
  });

  afterAll(() => release?.stop());

  it('a second deploy of an unchanged project is up to date and makes no UpdateFunctionCode call', async () => {
    aws.ecr.addRepository(REPOSITORY);
    aws.lambda.addFunction({
      name: 'fn-emulated',
      imageUri: `${registry.host}/${REPOSITORY}@sha256:${'0'.repeat(64)}`,
    });
    const cwd = await makeProject({
      'lambda.config.json': JSON.stringify({
        functionName: 'fn-emulated',
        repository: REPOSITORY,
        baseImage: BASE_IMAGE,
      }),
      'index.ts': 'export const handler = async (event: unknown) => ({ echoed: event });\n',
    });

    const first = await runCli(['deploy', '--publish', '--json'], { cwd, env });
    expect(first.exitCode, first.stderr).toBe(ExitCode.ok);
    const out = JSON.parse(first.stdout) as { status: string; imageUri: string; digest: string; version: string };
    expect(out).toMatchObject({ status: 'updated', version: '1' });
    // The emulator's view of the code names neither the digest nor the reference as AWS would.
    const code = aws.lambda.functions.get('fn-emulated')!.code;
    expect(code.ImageUri).toBe(out.imageUri);
    expect(code.ResolvedImageUri).not.toBe(out.imageUri);
    expect(code.ResolvedImageUri!.endsWith(out.digest)).toBe(false);
    expect(aws.lambda.functions.get('fn-emulated')!.config.CodeSha256).not.toBe(out.digest.replace('sha256:', ''));
    expect(callsOf('UpdateFunctionCode')).toHaveLength(1);

    aws.calls.length = 0;
    const second = await runCli(['deploy', '--publish'], { cwd, env });
    expect(second.exitCode, second.stderr).toBe(ExitCode.ok);
    expect(second.stderr).toContain(`fn-emulated is up to date: it already runs ${out.digest}`);
    expect(callsOf('UpdateFunctionCode')).toEqual([]);
    // Publishing again is guarded by the CodeSha256 the emulator reports, and returns the same version.
    expect(callsOf('PublishVersion').map((c) => c.status)).toEqual([201]);
    expect(aws.lambda.functions.get('fn-emulated')!.versions).toHaveLength(1);
    expect(aws.unexpected).toEqual([]);
  }, 120_000);
});
