#!/usr/bin/env node
// Bundles the CLI that bin/tslambda.js starts, after `tsc` has type-checked and emitted dist/ (`npm run build`).
// Loading ~60 small ES modules before a command's first line costs more than their code does (a resolve, a read and
// a compile each, in a chain of awaits), so our own code goes into a few files: code splitting keeps every lazy
// `import()` lazy (the AWS SDK, dockerode, the emulator load only when a step needs them), and every package stays
// external, loaded from node_modules as before. dist/<folder>/*.js stays for the package's `exports` and for tools.
// The bundle sits two folders below the package root, as dist/<folder>/ does, so the `../../package.json` and
// `../../runtime/` that modules read through import.meta.url resolve the same from either.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI_BUNDLE_DIR = 'dist/cli-bundle';

rmSync(`${root}/${CLI_BUNDLE_DIR}`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/process.ts' },
  outdir: CLI_BUNDLE_DIR,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // The oldest Node the package supports (package.json "engines").
  target: 'node20.19',
  packages: 'external',
  // Maps for stack traces under --verbose (bin/tslambda.js turns them on then); the sources themselves are in src/.
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});
