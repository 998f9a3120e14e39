#!/usr/bin/env node
// Bundles the CLI that bin/tslambda.js starts, after `tsc` has type-checked and emitted dist/ (`npm run build`).
// Node 20 pays about a millisecond per ES module it loads (resolve, read, compile, link), more than the code costs:
// the ~60 dist modules a command loaded before its first line, or the 30-40 chunks of a code-split bundle, were
// most of its start-up. So each entry is one file:
//   dist/cli-bundle/cli.js   the CLI (src/cli/process.ts); a lazy `import()` of our own code stays lazy to run;
//   dist/cli-bundle/help.js  `--help` alone (src/cli/help.ts), so that help does not compile the whole CLI.
// Packages and Node built-ins are not bundled, and those a module imports statically load when that module first
// runs (through require, see lazyRequires), not when the file loads: the AWS SDK and dockerode still load only in
// the step that needs them. dist/<folder>/ stays for the package's `exports` and for tools.
// The files sit two folders below the package root, as dist/<folder>/*.js do, so the `../../package.json` and
// `../../runtime/` that modules read through import.meta.url resolve the same from either.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const CLI_BUNDLE_DIR = 'dist/cli-bundle';

/**
 * A static `import … from 'pkg'` (or 'node:…') in an ES module bundle is hoisted to the top of the file and loads
 * with it. Made a CommonJS module of one `require`, it loads when the module importing it is first evaluated, as
 * esbuild evaluates each bundled module on first use. Every package tslambda imports statically is CommonJS (or
 * loadable by require on Node >= 20.19); dynamic `import()`s of packages are left as they are.
 */
const lazyRequires = {
  name: 'lazy-requires',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, ({ path, kind }) =>
      kind === 'import-statement' ? { path, namespace: 'lazy-require' } : { path, external: true },
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-require' }, ({ path }) => ({
      contents: isBuiltin(path) ? builtinModule(path) : `module.exports = __tslambdaRequire(${JSON.stringify(path)});`,
      loader: 'js',
    }));
  },
};

/**
 * A built-in as an ES module of its named exports, read once when first imported: as a CommonJS module, each import
 * would first copy every property of the built-in onto a new object (esbuild's interop), a few milliseconds for the
 * dozen a command uses.
 */
function builtinModule(path) {
  // Data properties only: reading a getter (crypto.webcrypto, fs.promises) could load more, or warn of a deprecation.
  const descriptors = Object.entries(Object.getOwnPropertyDescriptors(require(path)));
  const names = descriptors
    .filter(([name, descriptor]) => 'value' in descriptor && /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default')
    .map(([name]) => name);
  return [
    `const builtin = __tslambdaRequire(${JSON.stringify(path)});`,
    'export default builtin;',
    `export const { ${names.join(', ')} } = builtin;`,
  ].join('\n');
}

/** help.js answers --help only: a command it would load (commands.ts `load`) is not in it, and says so if asked. */
const noCommands = {
  name: 'no-commands',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/commands\// }, ({ path, kind }) =>
      kind === 'dynamic-import' ? { path, namespace: 'not-in-help' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'not-in-help' }, ({ path }) => ({
      contents: `throw new Error(${JSON.stringify(`dist/cli-bundle/help.js holds no command (${path})`)});`,
      loader: 'js',
    }));
  },
};

const common = {
  absWorkingDir: root,
  outdir: CLI_BUNDLE_DIR,
  bundle: true,
  format: 'esm',
  platform: 'node',
  // The oldest Node the package supports (package.json "engines").
  target: 'node20.19',
  banner: {
    js: "import { createRequire as __tslambdaCreateRequire } from 'node:module';\nconst __tslambdaRequire = __tslambdaCreateRequire(import.meta.url);",
  },
  // Maps for stack traces under --verbose (bin/tslambda.js turns them on then); the sources themselves are in src/.
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
  write: false,
};

/**
 * esbuild escapes non-ASCII characters in code but keeps some comments as written; one `…` in a comment makes Node
 * decode and V8 parse the whole file as two-byte text, measurably slower. An escape means the same in a string or
 * regular expression, and a comment only reads differently.
 */
const asciiOnly = (text) =>
  text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

rmSync(`${root}/${CLI_BUNDLE_DIR}`, { recursive: true, force: true });
const results = await Promise.all([
  build({ ...common, entryPoints: { cli: 'src/cli/process.ts' }, plugins: [lazyRequires] }),
  build({ ...common, entryPoints: { help: 'src/cli/help.ts' }, plugins: [lazyRequires, noCommands] }),
]);
for (const file of results.flatMap((result) => result.outputFiles)) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.path.endsWith('.js') ? asciiOnly(file.text) : file.contents);
}
