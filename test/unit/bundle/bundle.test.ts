import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleContextFiles,
  bundleHandler,
  isUnbundled,
  type BundleResult,
  type Unbundled,
} from '../../../src/bundle/bundle.js';

/** The bundle, or a failure naming why the function would have been shipped unbundled. */
function bundled(result: BundleResult | Unbundled): BundleResult {
  if (isUnbundled(result)) throw new Error(`unexpectedly unbundled: ${result.unbundled}`);
  return result;
}
import { UserError } from '../../../src/core/errors.js';
import { runsWhen } from '../../support/skips.js';
import { createFixtureProject, hasCompiler, THROW_LINE } from './fixture-project.js';

const run = promisify(execFile);
const compiler = hasCompiler();

async function listTree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe(
  'bundleHandler',
  runsWhen(
    'bundleHandler',
    compiler ? undefined : 'no C compiler (cc) to build the native addon fixture; apt-get install build-essential',
  ),
  () => {
    let root: string;
    let taskRoot: string;
    let treeBefore: string[];
    let result: BundleResult;

    beforeAll(async () => {
      root = await createFixtureProject();
      treeBefore = await listTree(root);
      result = bundled(
        await bundleHandler({
          entry: join(root, 'src/handler.ts'),
          root,
          exportPath: 'handler',
          nodeMajor: 20,
          external: ['configured-ext'],
        }),
      );
      // Lay the context files out as the image's task root would hold them.
      taskRoot = await mkdtemp(join(tmpdir(), 'tslambda-task-'));
      for (const file of await bundleContextFiles(result, '.tslambda/bundle')) {
        const target = join(taskRoot, file.path.replace(/^\.tslambda\/bundle\//, ''));
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, file.content, { mode: file.mode });
      }
    });
    afterAll(async () => {
      await rm(root, { recursive: true, force: true });
      await rm(taskRoot, { recursive: true, force: true });
    });

    it('produces one ESM file and its map, writing nothing into the project', async () => {
      expect(result.files.map((f) => f.path)).toEqual([
        '.tslambda/bundle/src/handler.mjs',
        '.tslambda/bundle/src/handler.mjs.map',
      ]);
      expect(result.handler).toBe('src/handler.handler');
      expect(result.nodeOptions).toBe('--enable-source-maps');
      expect(await listTree(root)).toEqual(treeBefore);
    });

    it('inlines pure packages, tree-shaken, and leaves native and configured ones external', () => {
      const code = String(result.files[0]!.content);
      expect(code).toContain('toUpperCase');
      expect(code).not.toContain('TREE_SHAKEN_AWAY');
      expect(code).toMatch(/require\("native-greeter"\)|from"native-greeter"|from "native-greeter"/);
      expect(code).toMatch(/configured-ext/);
      expect(result.externalPackages.map((p) => p.name).sort()).toEqual([
        'configured-ext',
        'greeter-helper',
        'native-greeter',
      ]);
      expect(result.inputs).toContain(join(root, 'src/handler.ts'));
      expect(result.inputs).toContain(join(root, 'node_modules/pure-lib/index.js'));
    });

    it('copies only the external packages into node_modules', async () => {
      const tree = await listTree(join(taskRoot, 'node_modules'));
      expect(tree.filter((p) => !p.includes('/'))).toEqual(['configured-ext', 'greeter-helper', 'native-greeter']);
      expect(tree).toContain('native-greeter/build/Release/greeter.node');
      expect(tree.some((p) => p.startsWith('pure-lib'))).toBe(false);
    });

    const invoke = (event: object) =>
      run(process.execPath, [
        '--enable-source-maps',
        '--input-type=module',
        '-e',
        `const { handler } = await import(${JSON.stringify(join(taskRoot, 'src/handler.mjs'))});
       try { console.log(JSON.stringify(await handler(${JSON.stringify(event)}))); }
       catch (error) { console.log(error.stack); }`,
      ]);

    it('runs with the native addon loaded from node_modules', async () => {
      const { stdout } = await invoke({ name: 'ada' });
      expect(JSON.parse(stdout)).toBe('[HELLO ADA FROM C (NATIVE)!]');
    });

    it('maps a thrown error to the .ts file and line', async () => {
      const { stdout } = await invoke({ fail: true });
      expect(stdout).toContain('TypeError: refusing world');
      expect(stdout).toContain(`${join(taskRoot, 'src/handler.ts')}:${THROW_LINE}:`);
    });
  },
);

describe('bundleHandler errors', () => {
  it('turns an unresolvable import into a build-failed UserError naming the module', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tslambda-bundle-bad-'));
    await mkdir(join(root, 'src'));
    await writeFile(
      join(root, 'src/handler.ts'),
      "import { nope } from 'not-installed-anywhere';\nexport const handler = async () => nope;\n",
    );
    const error = await bundleHandler({
      entry: join(root, 'src/handler.ts'),
      root,
      exportPath: 'handler',
      nodeMajor: 20,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.exitCode).toBe(4);
    expect(error.message).toMatch(
      /^Runtime\.ImportModuleError: bundling src\/handler.ts failed: .*not-installed-anywhere/,
    );
    await rm(root, { recursive: true, force: true });
  });

  it('keeps top-level await working in the ESM bundle', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tslambda-bundle-tla-'));
    await writeFile(
      join(root, 'index.ts'),
      "const greeting: string = await Promise.resolve('ready');\nexport const handler = async () => greeting;\n",
    );
    const result = bundled(
      await bundleHandler({ entry: join(root, 'index.ts'), root, exportPath: 'handler', nodeMajor: 20 }),
    );
    expect(result.handler).toBe('index.handler');
    await writeFile(join(root, 'index.mjs'), result.files[0]!.content);
    const { stdout } = await run(process.execPath, [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(join(root, 'index.mjs'))}); console.log(await m.handler());`,
    ]);
    expect(stdout.trim()).toBe('ready');
    await rm(root, { recursive: true, force: true });
  });

  it('leaves external a package that reads files beside its own code, and says so', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tslambda-bundle-dirname-'));
    await mkdir(join(root, 'node_modules/templates'), { recursive: true });
    await writeFile(join(root, 'node_modules/templates/package.json'), JSON.stringify({ name: 'templates' }));
    await writeFile(join(root, 'node_modules/templates/hello.txt'), 'hello from the package');
    await writeFile(
      join(root, 'node_modules/templates/index.js'),
      "module.exports = () => require('fs').readFileSync(__dirname + '/hello.txt', 'utf8');\n",
    );
    await writeFile(
      join(root, 'index.js'),
      "const read = require('templates');\nexports.handler = async () => read();\n",
    );
    const result = bundled(
      await bundleHandler({ entry: join(root, 'index.js'), root, exportPath: 'handler', nodeMajor: 20 }),
    );
    expect(result.format).toBe('cjs');
    expect(result.externalPackages.map((p) => p.name)).toEqual(['templates']);
    expect(result.warnings).toEqual([
      'left templates external: node_modules/templates/index.js locates files beside its code',
    ]);
    const taskRoot = await mkdtemp(join(tmpdir(), 'tslambda-task-'));
    for (const file of await bundleContextFiles(result)) {
      const target = join(taskRoot, file.path.replace(/^\.tslambda\/bundle\//, ''));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content);
    }
    const { stdout } = await run(process.execPath, [
      '-e',
      `require(${JSON.stringify(join(taskRoot, 'index.cjs'))}).handler().then(console.log)`,
    ]);
    expect(stdout.trim()).toBe('hello from the package');
    await rm(root, { recursive: true, force: true });
    await rm(taskRoot, { recursive: true, force: true });
  });

  it('refuses an ES module entry that does not export the handler (Runtime.HandlerNotFound)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tslambda-bundle-export-'));
    await writeFile(join(root, 'index.mjs'), 'export const other = () => 1;\n');
    const error = await bundleHandler({
      entry: join(root, 'index.mjs'),
      root,
      exportPath: 'handler',
      nodeMajor: 20,
    }).catch((e) => e);
    expect(error).toMatchObject({
      exitCode: 4,
      message: 'Runtime.HandlerNotFound: index.handler is undefined or not exported (index exports other)',
    });
    await rm(root, { recursive: true, force: true });
  });

  it('keeps a TypeScript handler bundled (Lambda cannot load .ts as written) and says what the bundle leaves out', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tslambda-bundle-ts-dirname-'));
    await writeFile(
      join(root, 'index.ts'),
      "import { readFileSync } from 'node:fs';\nexport const handler = async () => readFileSync(__dirname + '/data.txt', 'utf8');\n",
    );
    const result = bundled(
      await bundleHandler({ entry: join(root, 'index.ts'), root, exportPath: 'handler', nodeMajor: 20 }),
    );
    expect(result.warnings).toEqual([
      'index.ts locates files beside its code: the bundle holds only code, so keep the files it reads with a Dockerfile of your own',
    ]);
    await rm(root, { recursive: true, force: true });
  });
});
