// Issue 9's first example, AWS's own first Node handler, as CommonJS: built into an image by the real engine
// (bundled, and with --no-bundle), invoked locally, deployed to the fake AWS through a real registry, and
// the deployed image invoked again. A handler that can never load stops the build before anything exists.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { type FakeAws, startFakeAws } from '../support/fake-aws/index.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runCli } from '../support/run-cli.js';
import { makeProject } from '../support/temp-project.js';
import { runUnbundled } from '../integration/bundle-shapes/run.js';
import { SHAPES } from '../integration/bundle-shapes/shapes.js';

/** Shapes run in the bundled image too: one of each kind (the full set runs without Docker, in the integration suite). */
const IN_IMAGE = [
  'cjs module.exports = { handler }',
  'cjs .cjs under type module',
  'esm default plus named exports',
  'nested export index.nested.fn',
  'context.done',
  'top-level await',
  'reads a file by __dirname',
  'require in an .mjs',
  'CommonJS package in node_modules',
  'extensionless file comes first',
];

const { docker, reason } = await dockerForTests();
const suffix = `${process.pid}-${randomBytes(3).toString('hex')}`;
const REPOSITORY = `e2e-cjs-${suffix}`;
const EXAMPLE = 'exports.handler = async (event) => ({ ok: true, got: event })\n';

const project = (files: Record<string, string>, config: Record<string, unknown> = {}) =>
  makeProject({
    ...files,
    'lambda.config.json': JSON.stringify({
      functionName: 'x',
      handler: 'index.handler',
      repository: REPOSITORY,
      baseImage: BASE_IMAGE,
      ...config,
    }),
  });

describe.skipIf(!docker)(`the CommonJS example in an image${reason ? ` (${reason})` : ''}`, () => {
  let registry: TestRegistry;
  let aws: FakeAws;
  let home: string;
  /** The environment every run gets (runCli lays it over process.env). */
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    registry = await startRegistry();
    aws = await startFakeAws({ registry: { host: registry.host, password: registry.password } });
    home = await mkdtemp(join(tmpdir(), 'tslambda-home-'));
    // Every run gets the fake AWS and an empty HOME through its own environment; process.env stays untouched.
    env = { ...aws.env, HOME: home, DOCKER_CONFIG: undefined, AWS_PROFILE: undefined };
  });

  afterAll(async () => {
    await aws?.close();
    await registry?.stop();
    if (home) await rm(home, { recursive: true, force: true });
    const images = await docker!.listImages({
      filters: JSON.stringify({
        reference: [`${REPOSITORY}:*`, `${REPOSITORY}-shape:*`, `${registry?.host}/${REPOSITORY}:*`],
      }),
    });
    for (const image of images)
      await docker!
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it('answers through invoke-local, bundled (CommonJS bundle) and with --no-bundle', { timeout: 120_000 }, async () => {
    const root = await project({ 'index.js': EXAMPLE });
    const bundled = await runCli(['invoke-local', '--data', '{"a":1}'], { cwd: root });
    expect(bundled.exitCode, bundled.stderr).toBe(ExitCode.ok);
    expect(bundled.stdout).toBe('{"ok":true,"got":{"a":1}}');
    const asWritten = await runCli(['invoke-local', '--no-bundle', '--data', '{"a":1}'], { cwd: root });
    expect(asWritten.exitCode, asWritten.stderr).toBe(ExitCode.ok);
    expect(asWritten.stdout).toBe('{"ok":true,"got":{"a":1}}');
  });

  it.each(SHAPES.filter((shape) => IN_IMAGE.includes(shape.name)).map((shape) => [shape.name, shape] as const))(
    '%s: the image answers as the unbundled runtime loop',
    { timeout: 120_000 },
    async (_name, shape) => {
      const root = await makeProject({
        ...shape.files,
        'lambda.config.json': JSON.stringify({
          functionName: 'shape',
          handler: shape.handler,
          repository: `${REPOSITORY}-shape`,
          baseImage: BASE_IMAGE,
        }),
      });
      const reference = await runUnbundled(root, shape.handler, shape.event);
      const result = await runCli(['invoke-local', '--data', JSON.stringify(shape.event ?? {})], { cwd: root });
      if (reference.errorType === undefined) {
        expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
        expect(result.stdout).toBe(reference.payload);
      } else {
        const error = JSON.parse(result.stdout) as { errorType: string; errorMessage: string };
        expect(error.errorType).toBe(reference.errorType);
        expect(error.errorMessage.split('/var/task').join('<root>')).toBe(reference.errorMessage);
      }
      if (shape.unbundled)
        expect(result.stderr).toMatch(new RegExp(`shipping the function unbundled: .*${shape.unbundled.source}`));
    },
  );

  it('exits 12 when the function fails to start, as the README says', { timeout: 120_000 }, async () => {
    const root = await project({ 'index.js': "throw new Error('boom at load');\n" });
    const result = await runCli(['invoke-local', '--data', '{}'], { cwd: root });
    expect(result.exitCode).toBe(ExitCode.runtimeExited);
    expect(result.stderr).toContain('error: the function failed to start with Error: boom at load');
  });

  it("refuses a handler whose file is missing before building, with Lambda's error", async () => {
    aws.reset();
    aws.lambda.addFunction({ name: 'x', imageUri: `${registry.host}/${REPOSITORY}-refused@sha256:${'0'.repeat(64)}` });
    const root = await project(
      { 'index.js': EXAMPLE },
      { handler: 'missing.handler', repository: `${REPOSITORY}-refused` },
    );
    for (const command of [['invoke-local', '--data', '{}'], ['build'], ['deploy']]) {
      const result = await runCli(command, { cwd: root, env });
      expect(result.exitCode, command.join(' ')).toBe(ExitCode.buildFailed);
      expect(result.stderr).toMatch(/^error: Runtime\.ImportModuleError: Error: Cannot find module 'missing'/m);
    }
    expect(
      await docker!.listImages({
        filters: JSON.stringify({ reference: [`${REPOSITORY}-refused:*`, `*/${REPOSITORY}-refused:*`] }),
      }),
    ).toEqual([]);
    // Looked at the function and the repository, then stopped: no push (no registry token), no update.
    expect(aws.operations()).toContain('GetFunction');
    expect(aws.operations()).not.toContain('GetAuthorizationToken');
    expect(aws.operations()).not.toContain('UpdateFunctionCode');
  });

  it('runs after deploy: the deployed image answers the same', { timeout: 180_000 }, async () => {
    aws.reset();
    aws.ecr.addRepository(REPOSITORY);
    aws.lambda.addFunction({ name: 'x', imageUri: `${registry.host}/${REPOSITORY}@sha256:${'0'.repeat(64)}` });
    const root = await project({ 'index.js': EXAMPLE });
    const deployed = await runCli(['deploy', '--json'], { cwd: root, env });
    expect(deployed.exitCode, deployed.stderr).toBe(ExitCode.ok);
    const { imageUri } = JSON.parse(deployed.stdout) as { imageUri: string };
    expect(aws.lambda.functions.get('x')!.code.ResolvedImageUri).toBe(imageUri);
    const invoked = await runCli(['invoke-local', '--image', imageUri, '--data', '{"a":1}'], { cwd: root });
    expect(invoked.exitCode, invoked.stderr).toBe(ExitCode.ok);
    expect(invoked.stdout).toBe('{"ok":true,"got":{"a":1}}');
  });
});
