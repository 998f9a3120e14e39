// The CLI as `npm run build` makes it: bin/tslambda.js starting the bundle in dist/cli-bundle/ (scripts/build-cli.mjs).
// In-process tests run src/; these run the built files, so a bundle that lost a chunk, a lazy import or a path read
// through import.meta.url (package.json, runtime/, the package root) fails here.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { runProcess } from '../support/cli-process.js';
import { runCli } from '../support/run-cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const version = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).version as string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tslambda-built-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const run = (args: string[], cwd = dir) => runProcess(args, { cwd, boundMs: 60_000 });

describe('the built CLI (bin/tslambda.js → dist/cli-bundle/)', () => {
  it('answers --version in bin, and through the bundle when other flags come with it', async () => {
    const alone = await run(['--version']);
    expect(alone).toMatchObject({ exitCode: 0, stdout: `${version}\n` });
    // Two words: bin leaves it to the bundle, whose core/version.ts reads ../../package.json from a chunk.
    const bundled = await run(['--version', '--verbose']);
    expect(bundled).toMatchObject({ exitCode: 0, stdout: `${version}\n` });
  });

  it('prints the help and a command help from the help bundle, as the CLI itself does', async () => {
    const help = await run(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^tslambda <command> \[options\]/);
    for (const args of [['--help'], ['deploy', '--help'], ['-h', 'invoke-local', '--verbose']]) {
      const built = await run(args);
      expect(built.exitCode).toBe(0);
      expect(built.stdout).toBe((await runCli(args)).stdout);
    }
  });

  it('leaves a --help after `--` to the CLI, which is not asked for help', async () => {
    const result = await run(['no-such-command', '--', '--help']);
    expect(result.exitCode).toBe(ExitCode.usage);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/no-such-command/);
  });

  it('loads no package and no Node module with the bundle itself: each loads when the code using it first runs', async () => {
    for (const file of ['cli.js', 'help.js']) {
      const text = await readFile(join(root, 'dist', 'cli-bundle', file), 'utf8');
      const hoisted = [...text.matchAll(/^import\b.*?from\s*["']([^"']+)["']/gms)].map((match) => match[1]);
      expect(hoisted, file).toEqual(['node:module']);
    }
  });

  it('init names this package root as the tslambda it depends on', async () => {
    const result = await run(['init', 'made', '--name', 'built-fn', '--region', 'eu-west-1']);
    expect(result.exitCode, result.stderr).toBe(0);
    const manifest = JSON.parse(await readFile(join(dir, 'made', 'package.json'), 'utf8'));
    expect(manifest.devDependencies.tslambda).toBe(`file:${root}`);
  });

  it('runs invoke-local --no-docker: lazy chunks, esbuild and the runtime loop from runtime/', async () => {
    const project = join(dir, 'invoke');
    await mkdir(project);
    await writeFile(
      join(project, 'lambda.config.json'),
      JSON.stringify({ functionName: 'built-fn', handler: 'index.handler' }),
    );
    await writeFile(join(project, 'index.mjs'), 'export const handler = async (event) => ({ echoed: event });\n');
    const result = await run(['invoke-local', '--no-docker', '--data', '{"n":1}'], project);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ echoed: { n: 1 } });
    expect(result.stderr).toMatch(/^REPORT RequestId: /m);
  });
});
