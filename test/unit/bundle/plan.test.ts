import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseHandlerString } from '../../../src/bundle/handler-check.js';
import { nodeMajorOfImage } from '../../../src/bundle/node-target.js';
import { planBundle } from '../../../src/bundle/plan.js';

describe('planBundle', () => {
  let context: string;
  beforeEach(async () => {
    context = await mkdtemp(join(tmpdir(), 'tslambda-plan-'));
    await mkdir(join(context, 'src'));
  });
  afterEach(() => rm(context, { recursive: true, force: true }));

  it('bundles a handler whose module is a .ts file, as an ES module', async () => {
    await writeFile(join(context, 'src/handler.ts'), 'export const handler = async () => 1;\n');
    expect(await planBundle({ handler: 'src/handler.handler', context })).toEqual({
      bundle: true,
      entry: join(context, 'src/handler.ts'),
      modulePath: 'src/handler',
      exportPath: 'handler',
      format: 'esm',
    });
  });

  it('keeps the entry\'s module format: by extension, else package.json "type", else the syntax of a .ts file', async () => {
    await writeFile(join(context, 'index.js'), 'exports.handler = async () => 1;\n');
    await writeFile(join(context, 'src/api.mts'), '');
    await writeFile(join(context, 'src/legacy.ts'), 'module.exports = { handler: async () => 1 };\n');
    expect(await planBundle({ handler: 'index.handler', context })).toMatchObject({
      bundle: true,
      entry: join(context, 'index.js'),
      format: 'cjs',
    });
    expect(await planBundle({ handler: 'src/api.routes.get', context })).toMatchObject({
      bundle: true,
      entry: join(context, 'src/api.mts'),
      exportPath: 'routes.get',
      format: 'esm',
    });
    expect(await planBundle({ handler: 'src/legacy.handler', context })).toMatchObject({ format: 'cjs' });
    await writeFile(join(context, 'package.json'), JSON.stringify({ type: 'module' }));
    expect(await planBundle({ handler: 'index.handler', context })).toMatchObject({ format: 'esm' });
  });

  it("looks for the entry in Lambda's order: extensionless, .js, .mjs, .cjs (TypeScript sources first)", async () => {
    await writeFile(join(context, 'index.cjs'), '');
    expect(await planBundle({ handler: 'index.handler', context })).toMatchObject({
      entry: join(context, 'index.cjs'),
      format: 'cjs',
    });
    await writeFile(join(context, 'index.mjs'), '');
    expect(await planBundle({ handler: 'index.handler', context })).toMatchObject({
      entry: join(context, 'index.mjs'),
    });
    await writeFile(join(context, 'index.js'), '');
    expect(await planBundle({ handler: 'index.handler', context })).toMatchObject({ entry: join(context, 'index.js') });
    await writeFile(join(context, 'index'), '');
    expect(await planBundle({ handler: 'index.handler', context })).toMatchObject({
      bundle: false,
      reason: expect.stringMatching(/no extension/),
    });
  });

  it('does not bundle when the context or the config has a Dockerfile, or when asked not to', async () => {
    await writeFile(join(context, 'src/handler.js'), '');
    expect(
      await planBundle({ handler: 'src/handler.handler', context, dockerfile: join(context, 'build/Dockerfile') }),
    ).toMatchObject({ bundle: false, reason: expect.stringMatching(/names a Dockerfile/) });
    expect(await planBundle({ handler: 'src/handler.handler', context }, { bundle: false })).toMatchObject({
      bundle: false,
      reason: expect.stringMatching(/--no-bundle/),
    });
    await writeFile(join(context, 'Dockerfile'), 'FROM scratch\n');
    expect(await planBundle({ handler: 'src/handler.handler', context })).toMatchObject({
      bundle: false,
      reason: expect.stringMatching(/its own Dockerfile/),
    });
  });

  it('refuses a handler that can never load with the error Lambda reports and its exit code', async () => {
    await expect(planBundle({ handler: 'dist/handler.handler', context })).rejects.toMatchObject({
      message: expect.stringMatching(/^Runtime\.ImportModuleError: Error: Cannot find module 'handler'/),
      exitCode: 4,
    });
    await expect(planBundle({ handler: '../up.handler', context })).rejects.toMatchObject({
      message: expect.stringMatching(/^Runtime\.MalformedHandlerName: .*'\.\.'/),
      exitCode: 2,
    });
    await writeFile(join(context, 'src/only.ts'), '');
    await expect(planBundle({ handler: 'src/only.handler', context }, { bundle: false })).rejects.toMatchObject({
      message: expect.stringMatching(/^Runtime\.ImportModuleError: .*TypeScript/),
      exitCode: 4,
    });
  });

  it('plans "index." like any handler: an ES module without that export is refused later, by the bundle', async () => {
    await writeFile(join(context, 'index.mjs'), 'export const handler = async () => 1;\n');
    expect(await planBundle({ handler: 'index.', context })).toMatchObject({ bundle: true, exportPath: '' });
  });

  it('lets Lambda load a folder with an index, or a package, as it would', async () => {
    await mkdir(join(context, 'api'));
    await writeFile(join(context, 'api/index.js'), '');
    expect(await planBundle({ handler: 'api.handler', context })).toMatchObject({
      bundle: false,
      reason: expect.stringMatching(/folder or a package/),
    });
  });
});

describe('parseHandlerString', () => {
  it('splits at the first dot after the last slash, as the runtime does', () => {
    expect(parseHandlerString('a.b/c.handler.x')).toEqual({
      moduleRoot: 'a.b',
      moduleName: 'c',
      modulePath: 'a.b/c',
      exportPath: 'handler.x',
    });
    expect(() => parseHandlerString('handler')).toThrow(/^Runtime\.MalformedHandlerName/);
    expect(() => parseHandlerString('index.a..b')).toThrow(/'\.\.' is not allowed/);
  });

  it('leaves empty names to the lookups, as Lambda does: "index." names the property "", ".handler" the folder', () => {
    expect(parseHandlerString('index.')).toMatchObject({ modulePath: 'index', exportPath: '' });
    expect(parseHandlerString('src/app.nested.')).toMatchObject({ modulePath: 'src/app', exportPath: 'nested.' });
    // An empty module name is the folder itself: Lambda requires (3.x) or imports (4.x) it.
    expect(parseHandlerString('src/.handler')).toMatchObject({
      moduleRoot: 'src',
      moduleName: '',
      exportPath: 'handler',
    });
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
