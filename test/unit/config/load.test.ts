import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, mergeConfig } from '../../../src/config/load.js';
import { UserError, ExitCode } from '../../../src/core/errors.js';
import { makeProject } from '../../support/temp-project.js';

const load = (cwd: string, extra: Partial<Parameters<typeof loadConfig>[0]> = {}) =>
  loadConfig({ cwd, env: {}, ...extra });

async function problemsOf(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('config discovery', () => {
  it('finds lambda.config.json in a parent folder and resolves paths against it', async () => {
    const root = await makeProject({
      'lambda.config.json': JSON.stringify({ functionName: 'orders', context: 'app', dockerfile: 'docker/Dockerfile' }),
      'app/src/': '',
    });
    const config = await load(join(root, 'app', 'src'));
    expect(config.functionName).toBe('orders');
    expect(config.configFile).toBe(join(root, 'lambda.config.json'));
    expect(config.context).toBe(join(root, 'app'));
    expect(config.dockerfile).toBe(join(root, 'docker/Dockerfile'));
    expect(config.repository).toBe('orders');
  });

  it('prefers lambda.config.json over .lambdarc and package.json', async () => {
    const root = await makeProject({
      'lambda.config.json': JSON.stringify({ functionName: 'from-json' }),
      '.lambdarc': JSON.stringify({ functionName: 'from-rc' }),
      'package.json': JSON.stringify({ name: 'x', lambda: { functionName: 'from-package' } }),
    });
    expect((await load(root)).functionName).toBe('from-json');
  });

  it('reads the "lambda" key of package.json, .lambdarc.yaml and an ES module config', async () => {
    const pkg = await makeProject({
      'package.json': JSON.stringify({ name: 'x', lambda: { functionName: 'pkg-fn' } }),
    });
    expect((await load(pkg)).functionName).toBe('pkg-fn');
    const yaml = await makeProject({ '.lambdarc.yaml': 'functionName: yaml-fn\nmemorySize: 256\n' });
    expect((await load(yaml)).memorySize).toBe(256);
    const esm = await makeProject({ 'lambda.config.mjs': 'export default { functionName: "esm-fn", timeout: 30 };' });
    expect((await load(esm)).timeout).toBe(30);
  });

  it('loads the file --config names, and says so when it does not exist', async () => {
    const root = await makeProject({ 'conf/prod.json': JSON.stringify({ functionName: 'prod-fn' }) });
    expect((await load(root, { configPath: 'conf/prod.json' })).functionName).toBe('prod-fn');
    const error = await problemsOf(load(root, { configPath: 'missing.json' }));
    expect(error.message).toBe(`config file not found: ${join(root, 'missing.json')}`);
    expect(error.exitCode).toBe(ExitCode.usage);
  });

  it('reports a syntax error in the file in one line', async () => {
    const root = await makeProject({ 'lambda.config.json': '{ "functionName": ' });
    const error = await problemsOf(load(root));
    expect(error.message).toMatch(/^cannot read config file: /);
    expect(error.message).not.toContain('\n');
  });

  it('asks for a config file when none is found', async () => {
    const root = await makeProject({ 'index.js': '' });
    const error = await problemsOf(load(root));
    expect(error.message).toBe(
      `no configuration found: no lambda.config.json (or .lambdarc, or a "lambda" key in package.json) in ${root} or above`,
    );
    expect(error.hint).toBe('run `tslambda init` to create a function here, or pass --config <file>');
  });

  it('asks for functionName when the file has none', async () => {
    const root = await makeProject({ '.lambdarc.json': JSON.stringify({ memorySize: 256 }) });
    const error = await problemsOf(load(root));
    expect(error.message).toContain('  functionName: required; add "functionName": "my-function" to .lambdarc.json');
  });

  it('checks flag values by the same rules, naming the flag', async () => {
    const root = await makeProject({ 'lambda.config.json': JSON.stringify({ functionName: 'f' }) });
    const error = await problemsOf(load(root, { overrides: { tag: 'bad tag', baseImage: '', buildArgs: {} } }));
    expect(error.message.split('\n').slice(1)).toEqual([
      '  --tag: expected an image tag (letters, digits, _ . -, at most 128), found "bad tag"',
      '  --base-image: expected a non-empty string, found ""',
    ]);
  });
});

describe('config validation', () => {
  it('reports every problem at once with its key path, what was found and what is allowed', async () => {
    const root = await makeProject({
      'lambda.config.json': JSON.stringify({
        functionName: 'bad name!',
        memorySize: 64,
        timeout: 'long',
        architecture: 'x86',
        environment: { AWS_REGION: 'x', '1BAD': 'y', GOOD: 3 },
        handlr: 'index.handler',
        zzzzzz: true,
      }),
    });
    const error = await problemsOf(load(root));
    expect(error.exitCode).toBe(ExitCode.usage);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe(`invalid configuration in ${join(root, 'lambda.config.json')} (9 problems):`);
    expect(lines.slice(1)).toEqual([
      '  functionName: expected a Lambda function name (1-64 letters, digits, - or _), found "bad name!"',
      '  memorySize: expected an integer from 128 to 10240, found number 64',
      '  timeout: expected an integer from 1 to 900, found "long"',
      '  architecture: expected one of "x86_64", "arm64", found "x86"',
      '  environment.AWS_REGION: is reserved by Lambda and cannot be set; rename the variable',
      '  environment.1BAD: expected a variable name (a letter, then letters, digits or _), found "1BAD"',
      '  environment.GOOD: expected a string, found number 3',
      '  handlr: unknown key; did you mean "handler"?',
      expect.stringMatching(/^ {2}zzzzzz: unknown key; allowed keys: functionName, region, /),
    ]);
  });

  it('accepts every documented field of lambda.config.example.json', async () => {
    const { readFile } = await import('node:fs/promises');
    const example = await readFile(new URL('../../../lambda.config.example.json', import.meta.url), 'utf8');
    const root = await makeProject({ 'lambda.config.json': example });
    const config = await load(root);
    expect(config.functionName).toBe(JSON.parse(example).functionName);
  });
});

describe('config precedence', () => {
  it('takes flag > environment > file > default', () => {
    const file = { functionName: 'f', region: 'eu-west-1', profile: 'file-profile', memorySize: 512 };
    expect(mergeConfig(file, '/p', {}).region).toBe('eu-west-1');
    expect(mergeConfig(file, '/p', { AWS_REGION: 'us-east-2', AWS_PROFILE: 'env-profile' })).toMatchObject({
      region: 'us-east-2',
      profile: 'env-profile',
    });
    expect(mergeConfig(file, '/p', { AWS_REGION: 'us-east-2' }, { region: 'ap-south-1' }).region).toBe('ap-south-1');
    const merged = mergeConfig(file, '/p', {});
    expect(merged).toMatchObject({
      memorySize: 512,
      timeout: 3,
      architecture: 'x86_64',
      handler: 'index.handler',
      createRepository: true,
      publish: false,
    });
  });

  it('adds build args and labels from flags to those of the file', () => {
    const merged = mergeConfig(
      { functionName: 'f', buildArgs: { A: '1', B: '2' } },
      '/p',
      {},
      { buildArgs: { B: 'flag' } },
    );
    expect(merged.buildArgs).toEqual({ A: '1', B: 'flag' });
  });
});
