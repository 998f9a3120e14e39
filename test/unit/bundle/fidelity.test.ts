// What the bundle cannot keep, found before anything ships: CommonJS variables in an ES module, a file in
// node_modules that esbuild reads under an outer "type": "module" where Node does not, and peers of external packages.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleHandler, isUnbundled } from '../../../src/bundle/bundle.js';
import { packageOfFile } from '../../../src/bundle/fidelity.js';

const roots: string[] = [];

async function project(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'tslambda-fidelity-'));
  roots.push(root);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), text);
  }
  return root;
}

afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

describe('bundleHandler and what the bundle would change', () => {
  it('ships unbundled an ES module that uses module.exports, naming the ReferenceError Node raises', async () => {
    const root = await project({
      'package.json': '{"type":"module"}',
      'app.js': 'module.exports.handler = async () => 1;\n',
    });
    const result = await bundleHandler({ entry: join(root, 'app.js'), root, exportPath: 'handler', nodeMajor: 20 });
    expect(isUnbundled(result) && result.unbundled).toBe(
      'app.js uses "module" in an ES module (Node: ReferenceError: module is not defined in ES module scope)',
    );
  });

  it('ships unbundled a handler file directly in node_modules, which Node reads as CommonJS despite an outer "type": "module"', async () => {
    const root = await project({
      'package.json': '{"type":"module"}',
      'node_modules/index.js': 'exports.handler = () => 42;\n',
    });
    const result = await bundleHandler({
      entry: join(root, 'node_modules/index.js'),
      root,
      exportPath: 'handler',
      nodeMajor: 20,
      format: 'cjs',
    });
    expect(isUnbundled(result) && result.unbundled).toMatch(/^node_modules\/index\.js is CommonJS to Node/);
  });

  it("copies an external package's installed peer and leaves it external, so the program loads it once", async () => {
    const root = await project({
      'index.js':
        "const host = require('host-pkg');\nconst plugin = require('plugin-pkg');\nexports.handler = async () => plugin.sameHost(host);\n",
      'node_modules/host-pkg/package.json': '{"name":"host-pkg","main":"index.js"}',
      'node_modules/host-pkg/index.js': 'exports.id = Symbol("host");\n',
      'node_modules/plugin-pkg/package.json':
        '{"name":"plugin-pkg","main":"index.js","peerDependencies":{"host-pkg":"1","gone-pkg":"1"},"peerDependenciesMeta":{"gone-pkg":{"optional":true}}}',
      // A computed require: esbuild cannot follow it, so the package stays external.
      'node_modules/plugin-pkg/index.js':
        "const name = 'host-pkg';\nconst host = require(name);\nexports.sameHost = (other) => other === host;\n",
    });
    const result = await bundleHandler({ entry: join(root, 'index.js'), root, exportPath: 'handler', nodeMajor: 20 });
    if (isUnbundled(result)) throw new Error(result.unbundled);
    expect(result.externalPackages.map((p) => p.name).sort()).toEqual(['host-pkg', 'plugin-pkg']);
    expect(result.warnings).toContain(
      'left host-pkg external: an external package requires it too, and it must load once, as on Lambda',
    );
    // The optional peer that is not installed is no warning.
    expect(result.warnings.filter((w) => w.includes('gone-pkg'))).toEqual([]);
  });

  it('counts a file as part of a package only inside a package folder', () => {
    expect(packageOfFile('a/node_modules/index.js')).toBeUndefined();
    expect(packageOfFile('node_modules/pkg/index.js')).toBe('pkg');
    expect(packageOfFile('node_modules/@scope/pkg/lib/x.js')).toBe('@scope/pkg');
    expect(packageOfFile('node_modules/@scope/x.js')).toBeUndefined();
  });
});
