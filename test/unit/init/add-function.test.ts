// `tslambda init --function NAME`: a function added to the project's config, which stays valid and loads as a project.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/config/load.js';
import { ExitCode } from '../../../src/core/errors.js';
import { runCli } from '../../support/run-cli.js';
import { makeProject } from '../../support/temp-project.js';

describe('init --function', () => {
  it('turns a single-function config into a project of two, keeping its defaults, and writes the handler', async () => {
    const root = await makeProject({
      'lambda.config.json': JSON.stringify(
        { functionName: 'orders', handler: 'src/handler.handler', region: 'eu-west-1', memorySize: 256 },
        null,
        2,
      ),
      'src/handler.ts': 'export const handler = async () => 1;\n',
    });
    const result = await runCli(['init', '--function', 'worker'], { cwd: root });
    expect(result.exitCode, result.stderr).toBe(ExitCode.ok);
    expect(result.stderr).toContain('Added function worker to lambda.config.json');
    expect(JSON.parse(await readFile(join(root, 'lambda.config.json'), 'utf8'))).toEqual({
      region: 'eu-west-1',
      memorySize: 256,
      functions: { orders: { handler: 'src/handler.handler' }, worker: { handler: 'src/worker.handler' } },
    });
    expect(await readFile(join(root, 'src/worker.ts'), 'utf8')).toContain('export const handler');
    const { functions } = await loadProject({ cwd: root, env: {} });
    expect(functions.map((fn) => [fn.functionName, fn.handler, fn.memorySize])).toEqual([
      ['orders', 'src/handler.handler', 256],
      ['worker', 'src/worker.handler', 256],
    ]);
  });

  it('refuses a name the project has, and a folder without lambda.config.json, changing nothing', async () => {
    const config = JSON.stringify({ functions: { api: { handler: 'src/api.handler' } } });
    const root = await makeProject({ 'lambda.config.json': config });
    const again = await runCli(['init', '--function', 'api'], { cwd: root });
    expect(again.exitCode).toBe(ExitCode.usage);
    expect(again.stderr).toContain('error: the project already has a function named api');
    expect(await readFile(join(root, 'lambda.config.json'), 'utf8')).toBe(config);
    const empty = await makeProject({ 'README.md': '' });
    const none = await runCli(['init', '--function', 'api'], { cwd: empty });
    expect(none.exitCode).toBe(ExitCode.usage);
    expect(none.stderr).toContain("--function adds to a project's lambda.config.json");
    await writeFile(join(root, 'lambda.config.json'), '{ nope');
    expect((await runCli(['init', '--function', 'x'], { cwd: root })).stderr).toContain('is not valid JSON');
  });
});
