// `tslambda push` and `deploy` end to end: real engine, real registry, the real SDK against the fake AWS endpoint.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { runsWhen } from '../support/skips.js';
import { type FakeAws, startFakeAws } from '../support/fake-aws/index.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { type ReleaseEnvironment, startReleaseEnvironment } from '../support/release-environment.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { makeProject } from '../support/temp-project.js';

const { docker, reason } = await dockerForTests();
const suffix = randomBytes(3).toString('hex');
const REPOSITORY = `e2e-deploy-${suffix}`;
const OLD_DIGEST = `sha256:${'0'.repeat(64)}`;
let registry: TestRegistry;
let aws: FakeAws;
let release: ReleaseEnvironment;
let home: string;
let project: string;
/** The environment every run gets (runCli lays it over process.env). */
let env: NodeJS.ProcessEnv;
/** Everything any run printed, for the final grep for the password. */
const transcript: string[] = [];

async function tslambda(args: string[], cwd = project): Promise<CliResult> {
  const result = await runCli(args, { cwd, env });
  transcript.push(result.stdout, result.stderr);
  return result;
}

const json = (result: CliResult) => JSON.parse(result.stdout) as Record<string, unknown>;
const updateCalls = () => aws.calls.filter((c) => c.operation === 'UpdateFunctionCode');

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('tslambda push / deploy (real engine + registry, fake AWS)', runsWhen('e2e push/deploy', reason), () => {
  beforeAll(async () => {
    // Every run gets the fake AWS and an empty HOME through its own environment; process.env stays untouched.
    release = await startReleaseEnvironment({ docker: docker!, repository: REPOSITORY });
    ({ registry, aws, home, env } = release);
    project = await makeProject({
      'lambda.config.json': JSON.stringify({ functionName: 'unused', repository: REPOSITORY, baseImage: BASE_IMAGE }),
      'index.js': 'exports.handler = async (event) => ({ echoed: event });\n',
    });
  });

  afterAll(() => release?.stop());

  beforeEach(() => {
    aws.reset();
    aws.ecr.addRepository(REPOSITORY);
  });

  it('push: builds, pushes with the token credentials and returns the digest the registry serves', async () => {
    const result = await tslambda(['push', '--tag', 'pushed', '--json']);
    expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
    const out = json(result);
    const manifest = await registry.manifest(REPOSITORY, 'pushed');
    expect(manifest.status).toBe(200);
    expect(out).toMatchObject({
      digest: manifest.digest,
      imageUri: `${registry.host}/${REPOSITORY}@${manifest.digest}`,
      mediaType: manifest.mediaType,
      tag: 'pushed',
      region: 'us-east-1',
    });
    expect(manifest.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(aws.operations()).toEqual(['DescribeRepositories', 'GetAuthorizationToken']);
    expect(aws.unexpected).toEqual([]);
  });

  it('push: creates the repository when it is missing', async () => {
    aws.ecr.repositories.clear();
    const result = await tslambda(['push', '--tag', 'fresh-repo']);
    expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
    expect(aws.operations()).toEqual(['DescribeRepositories', 'CreateRepository', 'GetAuthorizationToken']);
    expect(aws.ecr.repositories.get(REPOSITORY)?.imageScanningConfiguration).toEqual({ scanOnPush: true });
  });

  it('push: pushed again unchanged, up to date (no build, no push); under a new tag, the same image without a build', async () => {
    const first = await tslambda(['push', '--tag', 'again', '--json']);
    expect(first.exitCode, first.stderr).toBe(ExitCode.ok);
    const digest = String(json(first).digest);

    aws.calls.length = 0;
    const second = await tslambda(['push', '--tag', 'again']);
    expect(second.exitCode, second.stderr).toBe(ExitCode.ok);
    expect(second.stderr).toContain(`up to date: ${registry.host}/${REPOSITORY}:again already names ${digest}`);
    expect(second.stderr).not.toContain('Building');
    expect(second.stderr).not.toContain('Pushing');
    // One token, to read the tag's manifest.
    expect(aws.operations()).toEqual(['DescribeRepositories', 'GetAuthorizationToken']);

    aws.calls.length = 0;
    const third = await tslambda(['push', '--tag', 'again-2']);
    expect(third.exitCode, third.stderr).toBe(ExitCode.ok);
    expect(third.stderr).toMatch(/no build: [0-9a-f]{12} was built from the same inputs/);
    expect(third.stderr).not.toContain('Building');
    expect(third.stderr).toContain(`Pushing ${registry.host}/${REPOSITORY}:again-2`);
    expect((await registry.manifest(REPOSITORY, 'again-2')).digest).toBe(digest);
    // The token that read the tag serves the push too.
    expect(aws.operations()).toEqual(['DescribeRepositories', 'GetAuthorizationToken']);

    // --no-cache asks for a build whatever the label says.
    const forced = await tslambda(['push', '--tag', 'again', '--no-cache']);
    expect(forced.exitCode, forced.stderr).toBe(ExitCode.ok);
    expect(forced.stderr).toContain('Building');
    expect(aws.unexpected).toEqual([]);
  });

  it('deploy: updates an existing function by digest, then a second unchanged deploy makes no update call', async () => {
    aws.lambda.addFunction({ name: 'fn-existing', imageUri: `${registry.host}/${REPOSITORY}@${OLD_DIGEST}` });
    const first = await tslambda(['deploy', '--json'], await functionProject('fn-existing'));
    expect(first.exitCode, first.stderr).toBe(ExitCode.ok);
    const out = json(first);
    expect(out).toMatchObject({ status: 'updated', function: 'fn-existing', region: 'us-east-1' });
    const [update] = updateCalls();
    expect(update!.input).toMatchObject({ FunctionName: 'fn-existing', ImageUri: out.imageUri });
    expect(String(out.imageUri)).toMatch(new RegExp(`^${registry.host}/${REPOSITORY}@sha256:[0-9a-f]{64}$`));
    expect((await registry.manifest(REPOSITORY, String(out.digest))).status).toBe(200);
    // The waiter polled until the update left InProgress.
    expect(aws.lambda.functions.get('fn-existing')!.config.LastUpdateStatus).toBe('Successful');
    expect(aws.lambda.functions.get('fn-existing')!.code.ResolvedImageUri).toBe(out.imageUri);

    aws.calls.length = 0;
    const second = await tslambda(['deploy'], await functionProject('fn-existing'));
    expect(second.exitCode, second.stderr).toBe(ExitCode.ok);
    expect(second.stderr).toContain('is up to date');
    expect(updateCalls()).toEqual([]);
    expect(aws.unexpected).toEqual([]);
  });

  it('deploy --dry-run: prints the plan and pushes or updates nothing', async () => {
    aws.lambda.addFunction({ name: 'fn-plan', imageUri: `${registry.host}/${REPOSITORY}@${OLD_DIGEST}` });
    const result = await tslambda(
      ['deploy', '--dry-run', '--tag', 'planned', '--alias', 'live', '--json'],
      await functionProject('fn-plan'),
    );
    expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
    expect(json(result)).toMatchObject({
      dryRun: true,
      image: `${registry.host}/${REPOSITORY}:planned`,
      function: { name: 'fn-plan', imageUri: `${registry.host}/${REPOSITORY}@${OLD_DIGEST}` },
      actions: [
        'build',
        'push',
        'update the function code unless it already runs the pushed digest',
        'publish a version',
        'point alias live at it',
      ],
    });
    expect(aws.operations()).toEqual(['GetFunction', 'DescribeRepositories']);
    expect((await registry.manifest(REPOSITORY, 'planned')).status).toBe(404);
  });

  it('deploy: a missing function stops before building with the create command and pushes nothing', async () => {
    const result = await tslambda(['deploy', '--tag', 'never-pushed'], await functionProject('fn-missing'));
    expect(result.exitCode).toBe(ExitCode.functionNotFound);
    expect(result.stderr).toContain(
      'error: function fn-missing does not exist in us-east-1; tslambda updates existing functions only',
    );
    expect(result.stderr).toContain(
      `aws lambda create-function --function-name fn-missing --package-type Image --code ImageUri=${registry.host}/${REPOSITORY}:never-pushed --role <execution-role-arn> --architectures x86_64 --memory-size 128 --timeout 3 --region us-east-1`,
    );
    expect(aws.operations()).toEqual(['GetFunction', 'DescribeRepositories']);
    expect((await registry.manifest(REPOSITORY, 'never-pushed')).status).toBe(404);
  });

  it('deploy --create --role: creates the image function and waits until it is Active', async () => {
    const role = 'arn:aws:iam::123456789012:role/fn-exec';
    const result = await tslambda(
      ['deploy', '--create', '--role', role, '--json'],
      await functionProject('fn-created', { memorySize: 256, environment: { STAGE: 'e2e' } }),
    );
    expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
    expect(json(result)).toMatchObject({
      status: 'created',
      functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn-created',
    });
    const create = aws.calls.find((c) => c.operation === 'CreateFunction')!;
    expect(create.input).toMatchObject({
      Role: role,
      PackageType: 'Image',
      Architectures: ['x86_64'],
      MemorySize: 256,
      Environment: { Variables: { STAGE: 'e2e' } },
      Code: { ImageUri: json(result).imageUri },
    });
    expect(aws.lambda.functions.get('fn-created')!.config.State).toBe('Active');
  });

  it('deploy: refuses a Zip function and an architecture mismatch before building', async () => {
    aws.lambda.addFunction({ name: 'fn-zip', packageType: 'Zip' });
    const zip = await tslambda(['deploy'], await functionProject('fn-zip'));
    expect(zip.exitCode).toBe(ExitCode.functionIncompatible);
    expect(zip.stderr).toContain(
      'error: function fn-zip is packaged as a Zip archive; tslambda deploys container images',
    );

    aws.lambda.addFunction({ name: 'fn-arm', architecture: 'arm64' });
    const arm = await tslambda(['deploy'], await functionProject('fn-arm'));
    expect(arm.exitCode).toBe(ExitCode.functionIncompatible);
    expect(arm.stderr).toContain('error: function fn-arm runs on arm64, but the image is built for x86_64');
    expect(arm.stderr).toContain('hint: set "architecture": "arm64"');
    expect(aws.operations()).toEqual(['GetFunction', 'GetFunction']);
  });

  it("deploy: a Failed update shows Lambda's reason and code with its own exit code", async () => {
    aws.lambda.addFunction({ name: 'fn-fails', imageUri: `${registry.host}/${REPOSITORY}@${OLD_DIGEST}` });
    aws.lambda.behaviour.nextUpdateOutcomes.push({
      status: 'Failed',
      reason: 'The image manifest or layer media type for the source image is not supported.',
      reasonCode: 'ImageNotSupported',
    });
    const result = await tslambda(['deploy'], await functionProject('fn-fails'));
    expect(result.exitCode).toBe(ExitCode.updateFailed);
    expect(result.stderr).toContain(
      'error: the update of fn-fails failed: The image manifest or layer media type for the source image is not supported. (ImageNotSupported)',
    );
  });

  it('deploy: retries a conflicting update, then publishes a version and points a new alias at it', async () => {
    aws.lambda.addFunction({ name: 'fn-busy', imageUri: `${registry.host}/${REPOSITORY}@${OLD_DIGEST}` });
    aws.lambda.behaviour.conflictingUpdates = 1;
    const result = await tslambda(['deploy', '--alias', 'live', '--json'], await functionProject('fn-busy'));
    expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
    expect(updateCalls().map((c) => c.errorCode ?? 'ok')).toEqual(['ResourceConflictException', 'ok']);
    expect(json(result)).toMatchObject({
      version: '1',
      versionArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn-busy:1',
      aliasArn: 'arn:aws:lambda:us-east-1:123456789012:function:fn-busy:live',
    });
    expect(aws.lambda.functions.get('fn-busy')!.aliases.get('live')!.FunctionVersion).toBe('1');
  });

  it('deploy: a wrong registry password fails clearly after one fresh token', async () => {
    aws.lambda.addFunction({ name: 'fn-badpass', imageUri: `${registry.host}/${REPOSITORY}@${OLD_DIGEST}` });
    aws.ecr.options.registryPassword = 'not-the-registry-password';
    try {
      const result = await tslambda(['deploy', '--tag', 'bad-pass'], await functionProject('fn-badpass'));
      expect(result.exitCode).toBe(ExitCode.pushFailed);
      expect(result.stderr).toMatch(
        new RegExp(
          `error: the registry ${registry.host} refused the credentials: .*(unauthorized|authentication required)`,
        ),
      );
      expect(aws.operations().filter((op) => op === 'GetAuthorizationToken')).toHaveLength(2);
      expect(updateCalls()).toEqual([]);
    } finally {
      aws.ecr.options.registryPassword = registry.password;
    }
  });

  it('deploy: a registry that is down fails after bounded retries', async () => {
    const down = await startRegistry();
    await down.stop();
    const otherAws = await startFakeAws({ registry: { host: down.host, password: down.password } });
    otherAws.ecr.addRepository(REPOSITORY);
    otherAws.lambda.addFunction({ name: 'fn-down' });
    const sharedEnv = env;
    env = { ...sharedEnv, AWS_ENDPOINT_URL: otherAws.endpoint };
    try {
      const result = await tslambda(['deploy', '--tag', 'down'], await functionProject('fn-down'));
      expect(result.exitCode).toBe(ExitCode.pushFailed);
      expect(result.stderr).toMatch(
        new RegExp(`error: push to ${down.host} failed after 4 attempts: .*connection refused`),
      );
      expect(otherAws.operations()).not.toContain('UpdateFunctionCode');
    } finally {
      env = sharedEnv;
      await otherAws.close();
    }
  });

  it('deploy: no credentials in the environment says how to configure them', async () => {
    const sharedEnv = env;
    env = { ...sharedEnv, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };
    try {
      const result = await tslambda(['deploy'], await functionProject('fn-nocreds'));
      expect(result.exitCode).toBe(ExitCode.awsError);
      expect(result.stderr).toContain('error: no AWS credentials found (GetFunction fn-nocreds)');
      expect(result.stderr).toMatch(/hint: configure credentials: --profile/);
      expect(aws.calls).toEqual([]);
    } finally {
      env = sharedEnv;
    }
  });

  it('never prints the registry password, not even with --verbose, and writes it nowhere under $HOME', async () => {
    aws.lambda.addFunction({ name: 'fn-verbose', imageUri: `${registry.host}/${REPOSITORY}@${OLD_DIGEST}` });
    const result = await tslambda(['deploy', '--verbose', '--tag', 'verbose'], await functionProject('fn-verbose'));
    expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
    expect(result.stderr).toContain('password ****');
    const token = Buffer.from(`AWS:${registry.password}`).toString('base64');
    for (const text of transcript) {
      expect(text).not.toContain(registry.password);
      expect(text).not.toContain(token);
    }
    expect(existsSync(join(home, '.docker', 'config.json'))).toBe(false);
    for (const file of await filesUnder(home)) expect(await readFile(file, 'utf8')).not.toContain(registry.password);
    expect(transcript.length).toBeGreaterThan(10);
  });
});

/** A project for one function name (and optional config), sharing the suite's repository and handler. */
async function functionProject(functionName: string, extra: Record<string, unknown> = {}): Promise<string> {
  return makeProject({
    'lambda.config.json': JSON.stringify({ functionName, repository: REPOSITORY, baseImage: BASE_IMAGE, ...extra }),
    'index.js': 'exports.handler = async (event) => ({ echoed: event });\n',
  });
}
