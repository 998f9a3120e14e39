import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeMajorOfImage } from '../../../src/bundle/node-target.js';
import { planBundle, splitHandler } from '../../../src/bundle/plan.js';

describe('planBundle', () => {
  let context: string;
  beforeEach(async () => {
    context = await mkdtemp(join(tmpdir(), 'tslambda-plan-'));
    await mkdir(join(context, 'src'));
  });
  afterEach(() => rm(context, { recursive: true, force: true }));

  it('bundles a handler whose module is a .ts file', async () => {
    await writeFile(join(context, 'src/handler.ts'), '');
    expect(await planBundle({ handler: 'src/handler.handler', context })).toEqual({
      bundle: true,
      entry: join(context, 'src/handler.ts'),
      modulePath: 'src/handler',
      exportPath: 'handler',
    });
  });

  it('finds .mts and .mjs entries and keeps nested export paths', async () => {
    await writeFile(join(context, 'src/api.mts'), '');
    await writeFile(join(context, 'index.mjs'), '');
    expect(await planBundle({ handler: 'src/api.routes.get', context })).toMatchObject({ bundle: true, entry: join(context, 'src/api.mts'), exportPath: 'routes.get' });
    expect(await planBundle({ handler: 'index.handler', context })).toMatchObject({ bundle: true, entry: join(context, 'index.mjs') });
  });

  it('does not bundle when the context or the config has a Dockerfile, or when asked not to', async () => {
    await writeFile(join(context, 'src/handler.ts'), '');
    expect(await planBundle({ handler: 'src/handler.handler', context, dockerfile: join(context, 'build/Dockerfile') })).toMatchObject({ bundle: false, reason: expect.stringMatching(/names a Dockerfile/) });
    expect(await planBundle({ handler: 'src/handler.handler', context }, { bundle: false })).toMatchObject({ bundle: false, reason: expect.stringMatching(/--no-bundle/) });
    await writeFile(join(context, 'Dockerfile'), 'FROM scratch\n');
    expect(await planBundle({ handler: 'src/handler.handler', context })).toMatchObject({ bundle: false, reason: expect.stringMatching(/its own Dockerfile/) });
  });

  it('does not bundle when no entry file exists or the handler escapes the context', async () => {
    expect(await planBundle({ handler: 'dist/handler.handler', context })).toMatchObject({ bundle: false, reason: expect.stringMatching(/no .* file for dist\/handler/) });
    expect(await planBundle({ handler: '../up.handler', context })).toMatchObject({ bundle: false });
  });
});

describe('splitHandler', () => {
  it('splits at the first dot after the last slash', () => {
    expect(splitHandler('a.b/c.handler.x')).toEqual({ modulePath: 'a.b/c', exportPath: 'handler.x' });
    expect(splitHandler('handler')).toBeUndefined();
    expect(splitHandler('src/.handler')).toBeUndefined();
  });
});

describe('nodeMajorOfImage', () => {
  it.each([
    ['node:22-slim', 22],
    ['public.ecr.aws/lambda/nodejs:20', 20],
    ['tslambda-test-base:node20', 20],
    ['node:24.1.0-bookworm@sha256:abc', 24],
    ['registry.example.com:5000/team/nodejs18-base:latest', 18],
    ['node:lts', 20],
    ['debian:12', 20],
  ])('%s → node%i', (image, major) => {
    expect(nodeMajorOfImage(image)).toBe(major);
  });
});
