import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bundleToDirectory } from '../../../src/pipeline/write-bundle.js';
import { makeProject } from '../../support/temp-project.js';

const run = promisify(execFile);

describe('bundleToDirectory', () => {
  it('writes a runnable task root even when the folder has a Dockerfile (a build stage)', async () => {
    const context = await makeProject({
      Dockerfile: 'FROM scratch\n',
      'src/handler.ts':
        "import { twice } from 'twice';\nexport const handler = async (event: { n: number }) => twice(event.n);\n",
      'node_modules/twice/package.json': JSON.stringify({ name: 'twice', type: 'module', exports: './index.js' }),
      'node_modules/twice/index.js': 'export const twice = (n) => n * 2;\n',
    });
    const out = join(context, 'out');
    const shipped = await bundleToDirectory(
      { handler: 'src/handler.handler', context, baseImage: 'node:20-slim', external: [] },
      out,
    );
    if (shipped.kind !== 'bundled') throw new Error(`not bundled: ${shipped.reason}`);
    expect(shipped.result.handler).toBe('src/handler.handler');
    expect((await readdir(out, { recursive: true })).map(String).sort()).toEqual([
      'src',
      'src/handler.mjs',
      'src/handler.mjs.map',
    ]);
    const { stdout } = await run(process.execPath, [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(join(out, 'src/handler.mjs'))}); console.log(await m.handler({ n: 21 }));`,
    ]);
    expect(stdout.trim()).toBe('42');
  });

  it('refuses a handler whose module is missing with the error Lambda would report', async () => {
    const context = await makeProject({ 'lib/handler.py': '' });
    await expect(
      bundleToDirectory(
        { handler: 'lib/handler.handler', context, baseImage: 'node:20-slim', external: [] },
        join(context, 'out'),
      ),
    ).rejects.toThrow(
      /^Runtime\.ImportModuleError: Error: Cannot find module 'handler' \(handler lib\/handler.handler: no lib\/handler\{/,
    );
  });

  it('copies the folder as written (minus .dockerignore and the output folder) when the bundle would change it', async () => {
    const context = await makeProject({
      '.dockerignore': 'secret.txt\n',
      'secret.txt': 'no',
      'data.txt': 'beside',
      'index.js': "exports.handler = async () => require('fs').readFileSync(__dirname + '/data.txt', 'utf8');\n",
    });
    const out = join(context, 'out');
    const shipped = await bundleToDirectory(
      { handler: 'index.handler', context, baseImage: 'node:20-slim', external: [] },
      out,
    );
    expect(shipped).toEqual({ kind: 'unbundled', reason: 'index.js locates files beside its code' });
    expect((await readdir(out)).map(String).sort()).toEqual(['.dockerignore', 'data.txt', 'index.js']);
  });
});
