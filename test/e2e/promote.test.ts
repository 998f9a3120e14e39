// Promotion without a rebuild, end to end: real engine, three real registries (one per account and region, each
// behind a proxy that records what is written), the fake AWS with three partitions, the real SDK clients.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { dockerForTests, suiteBaseImage } from '../support/docker.js';
import { type FakeAws, startFakeAws } from '../support/fake-aws/index.js';
import { type RecordingProxy, startRecordingProxy } from '../support/recording-proxy.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { runsWhen } from '../support/skips.js';
import { makeProject } from '../support/temp-project.js';

const { docker, reason } = await dockerForTests();
const suffix = randomBytes(3).toString('hex');
const REPOSITORY = `e2e-promote-${suffix}`;
const OTHER_REPOSITORY = `e2e-promote-other-${suffix}`;
const FUNCTION = 'promo-fn';
const OLD = `sha256:${'0'.repeat(64)}`;
const PROD_ACCOUNT = '210987654321';
const PROD_KEYS = { accessKeyId: 'AKIAFAKEPRODKEY00002', secretAccessKey: 'prod/secret/key+for+tests/only000000000' };

/** One (account, region): its registry, the proxy the fake ECR names as its host, and its target name. */
interface Place {
  registry: TestRegistry;
  proxy: RecordingProxy;
}
let staging: Place;
let prodEu: Place;
let prod: Place;
let aws: FakeAws;
let home: string;
let env: NodeJS.ProcessEnv;
let project: string;

async function startPlace(): Promise<Place> {
  const registry = await startRegistry();
  return { registry, proxy: await startRecordingProxy(registry) };
}

async function tslambda(args: string[], cwd = project): Promise<CliResult> {
  return runCli(args, { cwd, env });
}
const json = (result: CliResult) => JSON.parse(result.stdout) as Record<string, unknown>;
const updates = (region: string, accountId = '123456789012') =>
  aws.calls.filter((c) => c.operation === 'UpdateFunctionCode' && c.region === region && c.accountId === accountId);
/** The engine's images of this suite: a build would add or retag one. */
async function ourImages(): Promise<string[]> {
  const images = await docker!.listImages({ all: false });
  return images
    .filter((image) => (image.RepoTags ?? []).some((tag) => tag.includes(REPOSITORY)))
    .map((image) => `${image.Id} ${[...(image.RepoTags ?? [])].sort().join(',')}`)
    .sort();
}

// Builds and pushes share a machine with other suites: a build may take a while.
const slow = { timeout: 120_000 };

describe('promotion and no-op deploys (real engine + registries, fake AWS)', runsWhen('e2e promote', reason), () => {
  beforeAll(async () => {
    [staging, prodEu, prod] = await Promise.all([startPlace(), startPlace(), startPlace()]);
    const registryOf = (place: Place) => ({ host: place.proxy.host, password: place.registry.password });
    aws = await startFakeAws({
      region: 'us-east-1',
      registry: registryOf(staging),
      partitions: [
        { region: 'eu-west-1', registry: registryOf(prodEu) },
        { region: 'eu-west-1', accountId: PROD_ACCOUNT, credentials: PROD_KEYS, registry: registryOf(prod) },
      ],
    });
    home = await mkdtemp(join(tmpdir(), 'tslambda-home-'));
    // The prod account is reached through a profile of the shared credentials file, as a user would.
    const credentials = join(home, 'credentials');
    await writeFile(
      credentials,
      [
        `[prod]\naws_access_key_id = ${PROD_KEYS.accessKeyId}\naws_secret_access_key = ${PROD_KEYS.secretAccessKey}`,
        `[staging]\naws_access_key_id = ${aws.credentials.accessKeyId}\naws_secret_access_key = ${aws.credentials.secretAccessKey}`,
        '',
      ].join('\n'),
    );
    env = {
      ...aws.env,
      HOME: home,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      DOCKER_CONFIG: undefined,
      AWS_PROFILE: undefined,
    };
    // The no-op deploy needs the rebuild to be the very same image: a base of the suite's own keeps other suites'
    // concurrent builds out of its build cache (see suiteBaseImage).
    const baseImage = await suiteBaseImage(docker!, REPOSITORY);
    project = await makeProject({
      'lambda.config.json': JSON.stringify({
        functionName: FUNCTION,
        repository: REPOSITORY,
        baseImage,
        targets: {
          staging: { region: 'us-east-1', accountId: '123456789012' },
          'prod-eu': { region: 'eu-west-1' },
          prod: { region: 'eu-west-1', profile: 'prod', accountId: PROD_ACCOUNT },
        },
      }),
      'index.js': 'exports.handler = async (event) => ({ promoted: event });\n',
    });
    aws.ecr.addRepository(REPOSITORY);
    aws.lambda.addFunction({ name: FUNCTION, imageUri: `${staging.proxy.host}/${REPOSITORY}@${OLD}` });
    aws
      .partition('eu-west-1')
      .lambda.addFunction({ name: FUNCTION, imageUri: `${prodEu.proxy.host}/${REPOSITORY}@${OLD}` });
    aws.partition('eu-west-1', PROD_ACCOUNT).lambda.addFunction({
      name: FUNCTION,
      imageUri: `${prod.proxy.host}/${REPOSITORY}@${OLD}`,
    });
  });

  afterAll(async () => {
    await aws?.close();
    for (const place of [staging, prodEu, prod]) {
      await place?.proxy.close();
      await place?.registry.stop();
    }
    if (home) await rm(home, { recursive: true, force: true });
    const images = await docker!.listImages();
    for (const image of images.filter((i) => (i.RepoTags ?? []).some((tag) => tag.includes(REPOSITORY))))
      await docker!
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => undefined);
  });

  let stagingDigest: string;

  it(
    'deploy, then a second deploy of the unchanged project: no build, no push (nothing written), no update, "up to date"',
    slow,
    async () => {
      const first = await tslambda(['deploy', '--json']);
      expect(first.exitCode, first.stderr).toBe(ExitCode.ok);
      expect(json(first)).toMatchObject({ status: 'updated', region: 'us-east-1' });
      stagingDigest = String(json(first).digest);
      expect(staging.proxy.writes().some((line) => line.startsWith(`PUT /v2/${REPOSITORY}/manifests/`))).toBe(true);

      const built = await ourImages();
      staging.proxy.requests.length = 0;
      aws.calls.length = 0;
      const second = await tslambda(['deploy']);
      expect(second.exitCode, second.stderr).toBe(ExitCode.ok);
      // The image carries the hash of its build inputs: an unchanged project is found up to date before any build.
      expect(second.stderr).toContain(
        `up to date: ${FUNCTION} already runs ${stagingDigest}, built from the same inputs; nothing built or pushed`,
      );
      expect(second.stderr).toContain(`Up to date ${FUNCTION}`);
      expect(second.stderr).not.toContain('Building');
      expect(second.stderr).not.toContain('Pushing');
      expect(await ourImages()).toEqual(built);
      expect(staging.proxy.writes()).toEqual([]);
      expect(staging.proxy.requests).toEqual([]);
      expect(aws.operations()).not.toContain('UpdateFunctionCode');
      expect(aws.operations()).not.toContain('GetAuthorizationToken');
      expect(aws.unexpected).toEqual([]);
    },
  );

  it(
    'promote copies the digest staging runs to another region, without a build, and points the function at it',
    slow,
    async () => {
      const before = await ourImages();
      aws.calls.length = 0;
      const result = await tslambda(['promote', '--from', 'staging', '--to', 'prod-eu', '--json']);
      expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
      const target = `${prodEu.proxy.host}/${REPOSITORY}@${stagingDigest}`;
      expect(json(result)).toMatchObject({
        promotions: [
          {
            function: FUNCTION,
            status: 'updated',
            from: 'staging',
            to: 'prod-eu',
            region: 'eu-west-1',
            digest: stagingDigest,
            imageUri: target,
            sourceImage: `${staging.proxy.host}/${REPOSITORY}@${stagingDigest}`,
          },
        ],
      });
      // The same manifest digest in the target registry, written once, with every blob uploaded (nothing there before).
      const landed = await prodEu.registry.manifest(REPOSITORY, stagingDigest);
      expect(landed).toMatchObject({ status: 200, digest: stagingDigest });
      const writes = prodEu.proxy.writes();
      expect(writes.filter((line) => line.startsWith(`PUT /v2/${REPOSITORY}/manifests/`))).toHaveLength(1);
      expect(writes.filter((line) => line.startsWith('PATCH '))).toHaveLength(
        JSON.parse(landed.body).layers.length + 1,
      );
      expect(aws.partition('eu-west-1').lambda.functions.get(FUNCTION)!.code.ImageUri).toBe(target);
      expect(updates('eu-west-1').map((c) => c.input.ImageUri)).toEqual([target]);
      expect(result.stderr).not.toContain('Building');
      expect(await ourImages()).toEqual(before);
      expect(aws.unexpected).toEqual([]);
    },
  );

  it(
    'promote to another account (its own profile and registry), then again: up to date, nothing written',
    slow,
    async () => {
      const before = await ourImages();
      aws.calls.length = 0;
      const result = await tslambda(['promote', '--from', 'staging', '--to', 'prod', '--json']);
      expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
      const target = `${prod.proxy.host}/${REPOSITORY}@${stagingDigest}`;
      expect(json(result)).toMatchObject({
        promotions: [{ status: 'updated', digest: stagingDigest, imageUri: target }],
      });
      expect((await prod.registry.manifest(REPOSITORY, stagingDigest)).digest).toBe(stagingDigest);
      expect(updates('eu-west-1', PROD_ACCOUNT).map((c) => c.input.ImageUri)).toEqual([target]);
      expect(aws.calls.filter((c) => c.operation === 'CreateRepository').map((c) => c.accountId)).toEqual([
        PROD_ACCOUNT,
      ]);
      expect(await ourImages()).toEqual(before);

      prod.proxy.requests.length = 0;
      aws.calls.length = 0;
      const again = await tslambda(['promote', '--from', 'staging', '--to', 'prod', '--json']);
      expect(again.exitCode, again.stderr).toBe(ExitCode.ok);
      expect(json(again)).toMatchObject({ promotions: [{ status: 'up to date', digest: stagingDigest }] });
      expect(prod.proxy.writes()).toEqual([]);
      expect(updates('eu-west-1', PROD_ACCOUNT)).toEqual([]);
      expect(aws.unexpected).toEqual([]);
    },
  );

  it(
    'deploy --image repo@digest into another repository of the same registry mounts the blobs, no build',
    slow,
    async () => {
      const before = await ourImages();
      aws.lambda.addFunction({ name: 'promo-other', imageUri: `${staging.proxy.host}/${OTHER_REPOSITORY}@${OLD}` });
      const other = await makeProject({
        'lambda.config.json': JSON.stringify({ functionName: 'promo-other', repository: OTHER_REPOSITORY }),
      });
      staging.proxy.requests.length = 0;
      const source = `${staging.proxy.host}/${REPOSITORY}@${stagingDigest}`;
      const result = await tslambda(['deploy', '--image', source, '--json'], other);
      expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
      const target = `${staging.proxy.host}/${OTHER_REPOSITORY}@${stagingDigest}`;
      expect(json(result)).toMatchObject({ status: 'updated', digest: stagingDigest, imageUri: target });
      const writes = staging.proxy.writes();
      expect(writes.filter((line) => line.includes('?mount=')).length).toBeGreaterThan(0);
      expect(writes.filter((line) => line.startsWith('PATCH '))).toEqual([]);
      expect((await staging.registry.manifest(OTHER_REPOSITORY, stagingDigest)).digest).toBe(stagingDigest);
      expect(aws.lambda.functions.get('promo-other')!.code.ImageUri).toBe(target);
      expect(await ourImages()).toEqual(before);
    },
  );

  it(
    'deploy --image repo@digest --from staging lands in another account (its profile), copied, no build',
    slow,
    async () => {
      const before = await ourImages();
      const prodAccount = aws.partition('eu-west-1', PROD_ACCOUNT);
      prodAccount.lambda.addFunction({ name: 'promo-b', imageUri: `${prod.proxy.host}/${OTHER_REPOSITORY}@${OLD}` });
      const other = await makeProject({
        'lambda.config.json': JSON.stringify({
          functionName: 'promo-b',
          repository: OTHER_REPOSITORY,
          // With --profile prod on the command line, staging needs its own profile (else it would use prod's).
          targets: { staging: { region: 'us-east-1', profile: 'staging' } },
        }),
      });
      aws.calls.length = 0;
      const source = `${staging.proxy.host}/${REPOSITORY}@${stagingDigest}`;
      const result = await tslambda(
        ['deploy', '--image', source, '--from', 'staging', '--profile', 'prod', '--region', 'eu-west-1', '--json'],
        other,
      );
      expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
      const target = `${prod.proxy.host}/${OTHER_REPOSITORY}@${stagingDigest}`;
      expect(json(result)).toMatchObject({ status: 'updated', digest: stagingDigest, imageUri: target });
      expect((await prod.registry.manifest(OTHER_REPOSITORY, stagingDigest)).digest).toBe(stagingDigest);
      // The source was read with staging's token, the target written with prod's.
      expect(
        aws.calls.filter((c) => c.operation === 'GetAuthorizationToken').map((c) => `${c.accountId}/${c.region}`),
      ).toEqual(expect.arrayContaining(['123456789012/us-east-1', `${PROD_ACCOUNT}/eu-west-1`]));
      expect(prodAccount.lambda.functions.get('promo-b')!.code.ImageUri).toBe(target);
      expect(await ourImages()).toEqual(before);
    },
  );

  it('deploy --image <local image> pushes it through the engine to the target, no build', slow, async () => {
    const [local] = (await docker!.listImages())
      .flatMap((image) => image.RepoTags ?? [])
      .filter((tag) => tag.startsWith(`${REPOSITORY}:`));
    expect(local).toBeDefined();
    aws
      .partition('eu-west-1')
      .lambda.addFunction({ name: 'promo-local', imageUri: `${prodEu.proxy.host}/${OTHER_REPOSITORY}@${OLD}` });
    const other = await makeProject({
      'lambda.config.json': JSON.stringify({
        functionName: 'promo-local',
        repository: OTHER_REPOSITORY,
        tag: 'from-local',
      }),
    });
    prodEu.proxy.requests.length = 0;
    const result = await tslambda(['deploy', '--image', local!, '--region', 'eu-west-1', '--json'], other);
    expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
    const out = json(result);
    expect(out).toMatchObject({ status: 'updated', region: 'eu-west-1' });
    expect(String(out.imageUri)).toBe(`${prodEu.proxy.host}/${OTHER_REPOSITORY}@${String(out.digest)}`);
    expect(prodEu.proxy.writes()).toContain(`PUT /v2/${OTHER_REPOSITORY}/manifests/from-local`);
    expect(aws.partition('eu-west-1').lambda.functions.get('promo-local')!.code.ImageUri).toBe(out.imageUri);
    await docker!
      .getImage(`${prodEu.proxy.host}/${OTHER_REPOSITORY}:from-local`)
      .remove()
      .catch(() => undefined);
  });

  it(
    'deploy --image refuses an image of the wrong architecture and one that does not exist, in one line each',
    slow,
    async () => {
      const armFunction = 'promo-arm';
      aws.lambda.addFunction({ name: armFunction, architecture: 'arm64' });
      const arm = await makeProject({
        'lambda.config.json': JSON.stringify({ functionName: armFunction, repository: OTHER_REPOSITORY }),
      });
      const wrong = await tslambda(['deploy', '--image', `${staging.proxy.host}/${REPOSITORY}@${stagingDigest}`], arm);
      expect(wrong.exitCode).toBe(ExitCode.functionIncompatible);
      expect(wrong.stderr).toContain('is linux/amd64, but the function runs on linux/arm64');
      const missing = await tslambda(['deploy', '--image', `${staging.proxy.host}/${REPOSITORY}:no-such-tag`]);
      expect(missing.exitCode).toBe(ExitCode.usage);
      expect(missing.stderr).toContain(`error: ${staging.proxy.host}/${REPOSITORY}:no-such-tag does not exist`);
    },
  );
});
