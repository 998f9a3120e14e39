// A project of functions: defaults inherited and overridden, every problem of every function at once, regions.
import { describe, expect, it } from 'vitest';
import { loadConfig, loadProject } from '../../../src/config/load.js';
import { ExitCode, UserError } from '../../../src/core/errors.js';
import { defineConfig } from '../../../src/index.js';
import { makeProject } from '../../support/temp-project.js';

const project = {
  region: 'eu-west-1',
  memorySize: 256,
  environment: { STAGE: 'prod', LOG: 'info' },
  functions: {
    api: { handler: 'src/api.handler', memorySize: 512 },
    worker: { handler: 'src/worker.handler', timeout: 60, environment: { LOG: 'debug' } },
  },
};

async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('a project of functions', () => {
  it('gives each function the defaults, its own keys over them, its key as its name, and maps merged key by key', async () => {
    const root = await makeProject({ 'lambda.config.json': JSON.stringify(project) });
    const { functions } = await loadProject({ cwd: root, env: {} });
    expect(functions.map((fn) => [fn.functionKey, fn.functionName, fn.handler, fn.memorySize, fn.timeout])).toEqual([
      ['api', 'api', 'src/api.handler', 512, 3],
      ['worker', 'worker', 'src/worker.handler', 256, 60],
    ]);
    expect(functions[1]!.environment).toEqual({ STAGE: 'prod', LOG: 'debug' });
    expect(functions.every((fn) => fn.region === 'eu-west-1' && fn.repository === fn.functionName)).toBe(true);
  });

  it('reads the same project from YAML and from a module using defineConfig', async () => {
    const yaml = await makeProject({
      '.lambdarc.yaml':
        'region: eu-west-1\nfunctions:\n  api:\n    handler: src/api.handler\n  cron:\n    timeout: 30\n',
    });
    const fromYaml = await loadProject({ cwd: yaml, env: {} });
    expect(fromYaml.functions.map((fn) => [fn.functionKey, fn.timeout])).toEqual([
      ['api', 3],
      ['cron', 30],
    ]);
    // defineConfig types the map: a wrong key inside a function is a compile error.
    const typed = defineConfig({ repository: 'shop', functions: { api: { handler: 'a.handler', memorySize: 512 } } });
    // @ts-expect-error memorySize is a number
    defineConfig({ functions: { api: { memorySize: '512' } } });
    const esm = await makeProject({ 'lambda.config.mjs': `export default ${JSON.stringify(typed)};` });
    expect((await loadProject({ cwd: esm, env: {} })).functions[0]!.repository).toBe('shop');
  });

  it('reports every problem of every function at once, each with its path, exit 2', async () => {
    const root = await makeProject({
      'lambda.config.json': JSON.stringify({
        functionName: 'top',
        timeout: 0,
        regions: ['eu-west-1', 'mars'],
        functions: {
          api: { memorySize: 64, handlr: 'x.handler' },
          worker: { environment: { AWS_REGION: 'x' }, functions: {} },
          'bad name': {},
          cron: 'daily',
        },
      }),
    });
    const error = await failure(loadProject({ cwd: root, env: {} }));
    expect(error.exitCode).toBe(ExitCode.usage);
    const problems = (error.details!.problems as Array<{ path: string; message: string }>).map((p) => p.path);
    expect(problems.sort()).toEqual(
      [
        'timeout',
        'regions[1]',
        'functions.bad name',
        'functions.cron',
        'functionName',
        'functions.api.memorySize',
        'functions.api.handlr',
        'functions.worker.environment.AWS_REGION',
        'functions.worker.functions',
      ].sort(),
    );
    expect(error.message).toContain('functions.api.memorySize: expected an integer from 128 to 10240, found number 64');
    expect(error.message).toContain('functions.api.handlr: unknown key; did you mean "handler"?');
  });

  it('keeps a single-function config as it was, and asks for a name when a command takes one function', async () => {
    const single = await makeProject({ 'lambda.config.json': JSON.stringify({ functionName: 'solo' }) });
    expect((await loadProject({ cwd: single, env: {} })).functions.map((fn) => fn.functionKey)).toEqual(['solo']);
    expect((await loadConfig({ cwd: single, env: {} })).functionName).toBe('solo');
    const many = await makeProject({ 'lambda.config.json': JSON.stringify(project) });
    const error = await failure(loadConfig({ cwd: many, env: {} }));
    expect(error.message).toBe('this project has 2 functions (api, worker); this command takes one');
  });

  it('takes regions from the file, a function of its own, and --region a,b over both', async () => {
    const root = await makeProject({
      'lambda.config.json': JSON.stringify({
        regions: ['eu-west-1', 'us-east-1'],
        functions: { api: {}, edge: { regions: ['us-east-1'] } },
      }),
    });
    const fromFile = await loadProject({ cwd: root, env: { AWS_REGION: 'ap-south-1' } });
    expect(fromFile.functions.map((fn) => fn.regions)).toEqual([['eu-west-1', 'us-east-1'], ['us-east-1']]);
    const flagged = await loadProject({ cwd: root, env: {}, overrides: { region: 'sa-east-1,eu-central-1' } });
    expect(flagged.functions.map((fn) => [fn.region, fn.regions])).toEqual([
      ['sa-east-1', ['sa-east-1', 'eu-central-1']],
      ['sa-east-1', ['sa-east-1', 'eu-central-1']],
    ]);
    const bad = await failure(loadProject({ cwd: root, env: {}, overrides: { region: 'eu-west-1,moon' } }));
    expect(bad.message).toContain('--region: expected an AWS region such as "eu-west-1", found "moon"');
  });
});
