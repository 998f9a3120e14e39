import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLE_NODE_OPTIONS } from '../../../src/bundle/bundle.js';
import { generateDockerfile } from '../../../src/image/dockerfile.js';
import { functionNameFromDir, settleAnswers } from '../../../src/init/answers.js';
import { runInit } from './run-init.js';

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'tslambda-init-'));
});
afterEach(() => rm(cwd, { recursive: true, force: true }));

const read = (path: string) => readFile(join(cwd, path), 'utf8');
const tree = async (dir: string) => (await readdir(dir, { recursive: true })).map(String).sort();

describe('tslambda init (off a TTY, flags only)', () => {
  it('scaffolds a function into a new folder and prints the next two commands', async () => {
    const run = await runInit(cwd, { dir: 'orders', name: 'orders-fn', region: 'eu-west-1', architecture: 'arm64' });
    expect(run.error).toBeUndefined();
    expect(await tree(join(cwd, 'orders'))).toEqual([
      '.dockerignore',
      'lambda.config.json',
      'package.json',
      'src',
      'src/handler.ts',
      'tsconfig.json',
    ]);
    expect(JSON.parse(await read('orders/lambda.config.json'))).toEqual({
      functionName: 'orders-fn',
      region: 'eu-west-1',
      handler: 'src/handler.handler',
      architecture: 'arm64',
      baseImage: 'node:22-slim',
      memorySize: 128,
      timeout: 3,
    });
    const manifest = JSON.parse(await read('orders/package.json'));
    expect(Object.keys(manifest.scripts)).toEqual(expect.arrayContaining(['build', 'invoke', 'deploy']));
    expect(manifest.scripts.build).toBe('tslambda build');
    expect(manifest.devDependencies).toHaveProperty('tslambda');
    expect(await read('orders/.dockerignore')).toMatch(/^node_modules$/m);
    expect(run.stderr.trimEnd().split('\n').slice(-3)).toEqual([
      'Next:',
      '  cd orders && npm install',
      '  npm run invoke',
    ]);
  });

  it('defaults the name to the folder and takes the region from AWS_REGION', async () => {
    const run = await runInit(cwd, { dir: 'My App!' }, { AWS_REGION: 'us-east-2' });
    expect(run.error).toBeUndefined();
    const config = JSON.parse(await readFile(join(cwd, 'My App!/lambda.config.json'), 'utf8'));
    expect(config).toMatchObject({ functionName: 'My-App', region: 'us-east-2', architecture: 'x86_64' });
  });

  it('refuses to overwrite, listing the files, before writing anything', async () => {
    await mkdir(join(cwd, 'src'));
    await writeFile(join(cwd, 'src/handler.ts'), 'export const handler = async () => "mine";\n');
    await writeFile(join(cwd, 'tsconfig.json'), '{}\n');
    const run = await runInit(cwd, { name: 'hello' });
    expect(run.error?.message).toBe(`init would overwrite 2 files in ${cwd}: src/handler.ts, tsconfig.json`);
    expect(run.error?.hint).toMatch(/--force/);
    expect(run.error?.exitCode).toBe(2);
    expect(await tree(cwd)).toEqual(['src', 'src/handler.ts', 'tsconfig.json']);
    expect(await read('src/handler.ts')).toContain('"mine"');
  });

  it('overwrites with --force and says so', async () => {
    await writeFile(join(cwd, 'tsconfig.json'), '{}\n');
    const run = await runInit(cwd, { name: 'hello', force: true });
    expect(run.error).toBeUndefined();
    expect(JSON.parse(await read('tsconfig.json')).compilerOptions.strict).toBe(true);
    expect(run.stderr).toMatch(/overwritten\s+tsconfig\.json/);
  });

  it('adds its scripts to an existing package.json and keeps everything else', async () => {
    await writeFile(
      join(cwd, 'package.json'),
      JSON.stringify({ name: 'app', dependencies: { zod: '^3' }, scripts: { test: 'vitest' } }, null, 4),
    );
    const run = await runInit(cwd, { name: 'hello' });
    expect(run.error).toBeUndefined();
    const manifest = JSON.parse(await read('package.json'));
    expect(manifest).toMatchObject({
      name: 'app',
      dependencies: { zod: '^3' },
      scripts: { test: 'vitest', build: 'tslambda build', deploy: 'tslambda deploy' },
    });
    expect(await read('package.json')).toMatch(/^ {4}"name"/m);
    expect(run.stderr).toMatch(/updated\s+package\.json \(added script build/);
  });

  it('treats a different script of the same name as a conflict', async () => {
    await writeFile(join(cwd, 'package.json'), JSON.stringify({ name: 'app', scripts: { build: 'tsc' } }));
    const run = await runInit(cwd, { name: 'hello' });
    expect(run.error?.message).toMatch(/package\.json scripts\.build \("tsc"\)/);
    expect(await tree(cwd)).toEqual(['package.json']);
  });

  it('rejects an invalid --name with the rule', async () => {
    const run = await runInit(cwd, { name: 'no spaces allowed' });
    expect(run.error?.message).toMatch(/--name "no spaces allowed": expected a Lambda function name/);
    expect(await tree(cwd)).toEqual([]);
  });

  it('prints a JSON result with --json', async () => {
    const run = await runInit(cwd, { name: 'hello', json: true });
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: true,
      functionName: 'hello',
      next: ['npm install', 'npm run invoke'],
    });
  });

  it('writes, with --dockerfile, a bundling stage followed by the generated bundled Dockerfile', async () => {
    await runInit(cwd, { name: 'hello', dockerfile: true, 'base-image': 'node:20-slim' });
    const dockerfile = await read('Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:20-slim AS bundle$/m);
    expect(dockerfile).toMatch(/^RUN npx --no-install tslambda bundle --out-dir \/bundle$/m);
    const generated = generateDockerfile({
      baseImage: 'node:20-slim',
      handler: 'src/handler.handler',
      nodeOptions: BUNDLE_NODE_OPTIONS,
      appDir: '--from=bundle /bundle',
      tslambdaVersion: 'x',
    });
    const body = (text: string) => text.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(body(dockerfile).slice(-body(generated).length)).toEqual(body(generated));
  });

  it('writes a handler that type-checks against the package types', async () => {
    await runInit(cwd, { name: 'hello' });
    const options = ts.convertCompilerOptionsFromJson(
      JSON.parse(await read('tsconfig.json')).compilerOptions,
      cwd,
    ).options;
    const program = ts.createProgram([join(cwd, 'src/handler.ts')], {
      ...options,
      typeRoots: [resolve('node_modules/@types')],
      // The scaffold depends on the published package; here it resolves to this checkout.
      paths: { tslambda: [resolve('src/index.ts')] },
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
  });
});

describe('settleAnswers on a terminal', () => {
  it('asks for what the flags leave open and uses the answers', async () => {
    const questions: string[] = [];
    const replies = ['billing', 'ap-south-1', 'arm64'];
    const answers = await settleAnswers({
      dir: '/tmp/x',
      flags: {},
      env: {},
      tslambdaVersion: '1.0.0',
      ask: async (q) => {
        questions.push(q);
        return replies.shift()!;
      },
    });
    expect(questions).toEqual([
      'Function name (x): ',
      'AWS region (leave empty to decide at deploy time): ',
      'Architecture, x86_64 or arm64 (x86_64): ',
    ]);
    expect(answers).toMatchObject({ functionName: 'billing', region: 'ap-south-1', architecture: 'arm64' });
  });

  it('asks nothing that a flag answered', async () => {
    const answers = await settleAnswers({
      dir: '/tmp/x',
      flags: { name: 'a', region: 'eu-west-1', architecture: 'x86_64' },
      env: {},
      tslambdaVersion: '1.0.0',
      ask: () => Promise.reject(new Error('asked')),
    });
    expect(answers.functionName).toBe('a');
  });

  it('makes a valid name from any folder name', () => {
    expect(functionNameFromDir('/a/--weird name--')).toBe('weird-name');
    expect(functionNameFromDir('/a/!!!')).toBe('hello');
  });
});
