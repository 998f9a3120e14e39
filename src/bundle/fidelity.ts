// Finds what a bundle would change about the program: a module esbuild would read in another format than
// Node does, require() inside an ES module, dynamic requires, and code that locates files beside itself.
// Each finding names who must keep Node's own loading: a package (left external) or the function (unbundled).
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Message, Metafile } from 'esbuild';
import { packageNameOf } from './externals.js';

export type ModuleFormat = 'cjs' | 'esm';

export interface Finding {
  /** The input, relative to the bundle's root. */
  file: string;
  /** The package that holds it, when it is in node_modules. */
  packageName?: string;
  /** Why esbuild cannot keep its behaviour, e.g. "calls require() in an ES module". */
  why: string;
}

const JS_FILE = /\.[cm]?jsx?$/;
const CODE_FILE = /\.[cm]?[jt]sx?$/;
/** Ways code finds the files beside it: after bundling they point at the bundle, which has none of them. */
const PACKAGE_LOCATION = /\b__dirname\b|\b__filename\b|\bimport\.meta\.(?:url|dirname|filename)\b/;
const TASK_ROOT_LOCATION = /\bLAMBDA_TASK_ROOT\b|\bprocess\.cwd\(\)/;
/** require(x) / import(x) with anything but one string literal: esbuild cannot see what it loads. */
const DYNAMIC_LOAD = /(?<![\w$.])(?:require|import)\s*\(\s*(?!['"][^'"`$]*['"]\s*\))[^)\s]/;

/** The package a file belongs to: the folder after its last node_modules segment (a file directly in node_modules is in none). */
export function packageOfFile(file: string): string | undefined {
  const parts = file.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const first = parts[at + 1] ?? '';
  const scoped = first.startsWith('@');
  if (parts.length < at + (scoped ? 4 : 3)) return undefined;
  return packageNameOf(scoped ? `${first}/${parts[at + 2] ?? ''}` : first);
}

/**
 * The format Node gives a file: by extension, else the nearest package.json's "type". Node's search stops at a
 * node_modules folder (a package's scope never reaches outside it); `crossNodeModules` searches on, as esbuild does.
 */
export async function nodeFormatOf(
  file: string,
  cache = new Map<string, ModuleFormat>(),
  crossNodeModules = false,
): Promise<ModuleFormat> {
  if (/\.m[jt]sx?$/.test(file)) return 'esm';
  if (/\.c[jt]sx?$/.test(file)) return 'cjs';
  const chain: string[] = [];
  let format: ModuleFormat = 'cjs';
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (!crossNodeModules && basename(dir) === 'node_modules') break;
    const known = cache.get(dir);
    if (known) {
      format = known;
      break;
    }
    chain.push(dir);
    const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (text !== undefined) {
      try {
        format = (JSON.parse(text) as { type?: string }).type === 'module' ? 'esm' : 'cjs';
      } catch {
        format = 'cjs';
      }
      break;
    }
    if (dirname(dir) === dir) break;
  }
  for (const dir of chain) cache.set(dir, format);
  return format;
}

/** Every input whose behaviour the bundle would change, with who it belongs to; `warnings` are esbuild's for the build. */
export async function findFidelityProblems(
  metafile: Metafile,
  root: string,
  warnings: Message[] = [],
): Promise<Finding[]> {
  const formats = new Map<string, ModuleFormat>();
  const esbuildFormats = new Map<string, ModuleFormat>();
  const findings: Finding[] = [];
  const entries = new Set(
    Object.values(metafile.outputs).flatMap((output) => (output.entryPoint ? [output.entryPoint] : [])),
  );
  const formatOf = async (input: string) => nodeFormatOf(resolve(root, input), formats);
  // The entry is the function's own code even inside node_modules: only shipping it as it is keeps it.
  const ownerOf = (input: string) => (entries.has(input) ? undefined : packageOfFile(input));
  const add = (input: string, why: string) => {
    const packageName = ownerOf(input);
    findings.push({ file: input.split(sep).join('/'), ...(packageName ? { packageName } : {}), why });
  };
  for (const [input, info] of Object.entries(metafile.inputs)) {
    if (!CODE_FILE.test(input) || input.includes(':')) continue;
    const packageName = ownerOf(input);
    const note = (why: string) => add(input, why);
    const isJs = JS_FILE.test(input);
    const format = await formatOf(input);
    if (isJs && format === 'cjs' && info.format === 'esm') {
      const typeAbove = (await nodeFormatOf(resolve(root, input), esbuildFormats, true)) === 'esm';
      note(
        typeAbove
          ? 'is CommonJS to Node, which stops looking for "type" at node_modules, but ES module to esbuild'
          : 'uses import/export in a CommonJS file (Node: SyntaxError)',
      );
    }
    if (isJs && format === 'esm' && info.format === 'cjs')
      note(`uses module/exports in an ES module (Node: ReferenceError)`);
    if (isJs && format === 'esm' && info.imports.some((i) => i.kind === 'require-call' || i.kind === 'require-resolve'))
      note('calls require() in an ES module (Node: ReferenceError)');
    for (const imported of info.imports) {
      if (imported.kind !== 'require-call' || imported.external || !JS_FILE.test(imported.path)) continue;
      if ((await formatOf(imported.path)) !== 'esm') continue;
      add(imported.path, `is an ES module loaded with require() from ${input} (Node decides by version)`);
    }
    const source = await readFile(resolve(root, input), 'utf8').catch(() => '');
    if (DYNAMIC_LOAD.test(source)) note('loads a module by a computed name');
    if (PACKAGE_LOCATION.test(source) || (!packageName && TASK_ROOT_LOCATION.test(source)))
      note('locates files beside its code');
  }
  // `exports`, `module` or `require` used in an ES module: esbuild takes them for globals, where Node throws.
  for (const warning of warnings) {
    const file = warning.location?.file;
    if (warning.id !== 'commonjs-variable-in-esm' || !file) continue;
    const variable = /"(\w+)"/.exec(warning.text)?.[1] ?? 'module';
    add(
      file,
      `uses "${variable}" in an ES module (Node: ReferenceError: ${variable} is not defined in ES module scope)`,
    );
  }
  return findings;
}

/** One line for a finding, e.g. "src/app.js calls require() in an ES module". */
export const describeFinding = (finding: Finding) => `${finding.file} ${finding.why}`;
