// Keeps the layering of docs/ARCHITECTURE.md: data flows one way,
// bin → cli → commands → pipeline / local → image, bundle → docker, aws, config → core,
// nothing imports cli/ but bin/, and nothing in runtime/ imports src/. Reads every import of the tree.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** What each folder of src/ may import, besides itself. */
const allowed: Record<string, string[]> = {
  core: [],
  config: ['core'],
  aws: ['core', 'config'],
  docker: ['core', 'config'],
  bundle: ['core', 'config'],
  image: ['core', 'config', 'bundle'],
  init: ['core', 'config', 'bundle', 'image'],
  pipeline: ['core', 'config', 'aws', 'docker', 'bundle', 'image'],
  local: ['core', 'config', 'aws', 'docker', 'bundle', 'image', 'pipeline'],
  commands: ['core', 'config', 'aws', 'docker', 'bundle', 'image', 'init', 'pipeline', 'local', 'types'],
  cli: ['core', 'config', 'commands'],
  types: [],
};

function sourceFiles(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path, pattern);
    return pattern.test(name) ? [path] : [];
  });
}

/** Relative specifiers of static imports, re-exports, dynamic imports and requires. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(
    /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm,
  ))
    found.push(match[1]!);
  return found;
}

/** The top folder of src/ a file belongs to ('' for src/index.ts). */
function layerOf(file: string): string {
  const parts = relative(join(root, 'src'), file).split(sep);
  return parts.length > 1 ? parts[0]! : '';
}

describe('the import directions', () => {
  it('every import in src/ goes to the same folder or one the layering allows', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(join(root, 'src'), /\.ts$/)) {
      const from = layerOf(file);
      if (from === '') continue; // src/index.ts: the public API re-exports types
      if (!(from in allowed)) violations.push(`${relative(root, file)}: folder src/${from} is not in the layering`);
      for (const specifier of importsOf(file)) {
        const target = resolve(dirname(file), specifier);
        if (!target.startsWith(join(root, 'src') + sep)) {
          violations.push(`${relative(root, file)} imports ${specifier}, outside src/`);
          continue;
        }
        const to = layerOf(target);
        if (to !== from && !(allowed[from] ?? []).includes(to))
          violations.push(`${relative(root, file)} (${from}) imports ${relative(root, target)} (${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('bin/ enters through the bundled cli/ and nothing else', () => {
    const bin = readFileSync(join(root, 'bin/tslambda.js'), 'utf8');
    const targets = [...bin.matchAll(/import\s*\(?\s*['"]([^'"]+)['"]/g)].map((match) => match[1]!);
    expect(targets.filter((target) => target.startsWith('.')).sort()).toEqual([
      '../dist/cli-bundle/cli.js',
      '../dist/cli-bundle/help.js',
    ]);
    // Those bundles are src/cli/process.ts and src/cli/help.ts with what they import (scripts/build-cli.mjs).
    const script = readFileSync(join(root, 'scripts/build-cli.mjs'), 'utf8');
    expect(script).toContain("entryPoints: { cli: 'src/cli/process.ts' }");
    expect(script).toContain("entryPoints: { help: 'src/cli/help.ts' }");
    expect(script).toContain("const CLI_BUNDLE_DIR = 'dist/cli-bundle';");
  });

  it('the runtime loop imports only Node built-ins and its own files', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(join(root, 'runtime'), /\.c?js$/)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\brequire\s*\(\s*['"]([^'"]+)['"]/g)) {
        const spec = match[1]!;
        const inRuntime = spec.startsWith('./') && resolve(dirname(file), spec).startsWith(join(root, 'runtime') + sep);
        if (!inRuntime && !spec.startsWith('node:') && !isBuiltin(spec))
          violations.push(`${relative(root, file)} requires ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });
});

const builtins = new Set([
  'fs',
  'path',
  'url',
  'util',
  'http',
  'net',
  'os',
  'crypto',
  'stream',
  'events',
  'child_process',
  'buffer',
  'module',
  'readline',
  'timers',
  'zlib',
  'worker_threads',
  'v8',
  'perf_hooks',
  'string_decoder',
  'async_hooks',
  'tty',
  'dns',
  'assert',
]);
function isBuiltin(spec: string): boolean {
  return builtins.has(spec.split('/')[0]!);
}
