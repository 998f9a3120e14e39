// Bundles a handler's entry file with esbuild, in memory, into one file in the entry's own module format
// (CommonJS → .cjs keeping module.exports, ES module → .mjs keeping top-level await), plus its source map.
import { relative, resolve, sep } from 'node:path';
import type { BuildOptions, Message, Metafile, OutputFile, Plugin } from 'esbuild';
import { ExitCode, UserError } from '../core/errors.js';
import type { ContextFile } from '../core/files.js';
import {
  findPackageDir,
  isNativePackage,
  packageNameOf,
  packageRootOf,
  productionClosure,
  type ExternalPackage,
} from './externals.js';
import { externalPackageFiles } from './package-files.js';
import { describeFinding, findFidelityProblems, nodeFormatOf, packageOfFile, type ModuleFormat } from './fidelity.js';

/** Where the bundle sits in the build context; the generated Dockerfile copies it to the task root. */
export const BUNDLE_CONTEXT_DIR = '.tslambda/bundle';
/** Source-mapped stack traces: the bundle's lines are mapped back to the .ts files. */
export const BUNDLE_NODE_OPTIONS = '--enable-source-maps';

export interface BundleOptions {
  /** Absolute path of the entry file (from planBundle). */
  entry: string;
  /** The folder that becomes the task root (/var/task): output paths and source paths are relative to it. */
  root: string;
  /** Export part of the handler string, e.g. handler. */
  exportPath: string;
  /** Node major of the base image (nodeMajorOfImage). */
  nodeMajor: number;
  /** Package names to leave out of the bundle (config `external`). */
  external?: string[];
  /** Where the files go in the build context. */
  contextDir?: string;
  /** The bundle's module format: the entry's own (chooseOutputFormat). */
  format?: ModuleFormat;
}

export interface BundleResult {
  /** The bundle and its map (external packages are not in here: see externalPackages / bundleContextFiles). */
  files: ContextFile[];
  /** Handler string relative to the task root, for the runtime (the image CMD). */
  handler: string;
  nodeOptions: string;
  /** Packages left external, with their production dependency closure, to copy into node_modules. */
  externalPackages: ExternalPackage[];
  /** Absolute paths of every source file that went into the bundle, for watching. */
  inputs: string[];
  /** Things the user should know (an external package that is not installed). */
  warnings: string[];
  /** The output's module format. */
  format: ModuleFormat;
}

/** The bundle cannot keep the program's behaviour: ship the function unbundled, for this reason. */
export interface Unbundled {
  unbundled: string;
}

/**
 * ESM output keeps top-level await working (init work before the first invocation). CommonJS packages
 * inside an ESM bundle still call require() for built-ins and externals, so the bundle defines one;
 * __dirname/__filename are mapped to names no module can clash with.
 */
const ESM_PRELUDE = [
  "import { createRequire as __tslambdaCreateRequire } from 'node:module';",
  "import { fileURLToPath as __tslambdaFileURLToPath } from 'node:url';",
  "import { dirname as __tslambdaDirnameOf } from 'node:path';",
  'const require = __tslambdaCreateRequire(import.meta.url);',
  'const __tslambda_filename = __tslambdaFileURLToPath(import.meta.url);',
  'const __tslambda_dirname = __tslambdaDirnameOf(__tslambda_filename);',
].join('\n');

const toPosix = (path: string) => path.split(sep).join('/');

/** Marks native-addon packages and the configured ones as external, remembering where each is installed. */
function externalsPlugin(configured: Set<string>, found: Map<string, ExternalPackage>, warnings: string[]): Plugin {
  const nativeByDir = new Map<string, Promise<boolean>>();
  return {
    name: 'tslambda-externals',
    setup(build) {
      // A rebuild (watch mode) starts from scratch: a removed import no longer keeps its package.
      build.onStart(() => {
        found.clear();
      });
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'tslambda-inner') return undefined;
        const name = packageNameOf(args.path);
        if (!name) return undefined;
        let dir: string | undefined;
        if (!configured.has(name)) {
          const resolved = await build.resolve(args.path, {
            kind: args.kind,
            resolveDir: args.resolveDir,
            importer: args.importer,
            pluginData: 'tslambda-inner',
          });
          if (resolved.errors.length > 0 || !resolved.path) return undefined; // esbuild reports it
          dir = await packageRootOf(resolved.path, name);
          if (!dir) return undefined;
          if (!nativeByDir.has(dir)) nativeByDir.set(dir, isNativePackage(dir));
          if (!(await nativeByDir.get(dir))) return undefined;
        } else {
          dir = await findPackageDir(name, args.resolveDir);
          if (!dir && !found.has(name))
            warnings.push(`external package ${name} is not installed; it will be missing from the image`);
        }
        if (dir && !found.has(name)) found.set(name, { name, dir });
        return { path: args.path, external: true };
      });
    },
  };
}

/** What one bundle of a handler needs: esbuild's options and the state its plugin fills while building. */
export interface BundleSetup {
  esbuildOptions: BuildOptions & { write: false; metafile: true; plugins: Plugin[] };
  /** Turns esbuild's output into a BundleResult (reads the external packages found while building). */
  finish(result: { outputFiles: OutputFile[]; metafile: Metafile }): Promise<BundleResult>;
  /** Turns esbuild's failure into a build-failed UserError with its messages. */
  failure(errors: Message[]): Promise<UserError>;
}

/** The esbuild options and result handling shared by a one-shot bundle and a watching one. */
export function prepareBundle(options: BundleOptions): BundleSetup {
  const contextDir = options.contextDir ?? BUNDLE_CONTEXT_DIR;
  const entryRel = toPosix(relative(options.root, options.entry));
  if (entryRel.startsWith('../'))
    throw new UserError(`the handler's entry ${options.entry} is outside ${options.root}`, {
      hint: 'put the handler inside the build context',
    });
  const outBase = entryRel.replace(/\.[mc]?[jt]s$/, '');
  const format = options.format ?? 'esm';
  const found = new Map<string, ExternalPackage>();
  const warnings: string[] = [];
  const esbuildOptions = {
    absWorkingDir: options.root,
    entryPoints: [{ in: options.entry, out: outBase }],
    outdir: options.root,
    // Unambiguous extensions: a package.json "type" above the output folder cannot change their meaning.
    outExtension: { '.js': format === 'esm' ? '.mjs' : '.cjs' },
    bundle: true,
    write: false as const,
    platform: 'node' as const,
    format,
    // Resolve packages as Node does: no "module" condition or field, which only bundlers read.
    conditions: [],
    mainFields: ['main'],
    target: `node${options.nodeMajor}`,
    sourcemap: 'linked' as const,
    // The map only needs to point at lines; leaving the sources out keeps the image small.
    sourcesContent: false,
    minifyWhitespace: true,
    minifySyntax: true,
    // Error types reported to callers come from class names: keep them.
    keepNames: true,
    ...(format === 'esm'
      ? { banner: { js: ESM_PRELUDE }, define: { __dirname: '__tslambda_dirname', __filename: '__tslambda_filename' } }
      : {}),
    metafile: true as const,
    logLevel: 'silent' as const,
    plugins: [externalsPlugin(new Set(options.external ?? []), found, warnings)],
  };
  return {
    esbuildOptions,
    async finish(result) {
      const files: ContextFile[] = result.outputFiles
        .map((file) => ({
          path: `${contextDir}/${toPosix(relative(options.root, file.path))}`,
          content: Buffer.from(file.contents),
          mode: 0o644,
        }))
        .sort((a, b) => a.path.localeCompare(b.path));
      const closure = await productionClosure([...found.values()]);
      const messages = [
        ...warnings,
        ...closure.missing.map((what) => `dependency ${what} is not installed; it will be missing from the image`),
      ];
      warnings.length = 0;
      return {
        files,
        handler: `${outBase}.${options.exportPath}`,
        nodeOptions: BUNDLE_NODE_OPTIONS,
        externalPackages: closure.packages,
        // metafile paths are relative to absWorkingDir.
        inputs: Object.keys(result.metafile.inputs).map((input) => resolve(options.root, input)),
        warnings: messages,
        format,
      };
    },
    async failure(errors) {
      const { formatMessages } = await import('esbuild');
      const lines = await formatMessages(errors, { kind: 'error', color: false });
      // Name the failure Lambda would report for the same code: a missing module, or a syntax error.
      const first = errors[0];
      const lambdaError = !first
        ? ''
        : /^Could not resolve/.test(first.text)
          ? 'Runtime.ImportModuleError: '
          : 'Runtime.UserCodeSyntaxError: ';
      return new UserError(`${lambdaError}bundling ${entryRel} failed: ${first?.text ?? 'see above'}`, {
        exitCode: ExitCode.buildFailed,
        hint: 'fix the error, or add the package to "external" in lambda.config.json if it cannot be bundled',
        details: { esbuild: lines.join('\n') },
      });
    },
  };
}

/**
 * Bundles the handler, leaving external every package whose behaviour esbuild cannot keep; when the
 * function's own code is such a module, answers `{ unbundled: reason }` instead (the caller ships it as is).
 */
export async function bundleHandler(options: BundleOptions): Promise<BundleResult | Unbundled> {
  const esbuild = await import('esbuild');
  const format = options.format ?? (await chooseOutputFormat(options.entry));
  const external = new Set(options.external ?? []);
  const notes: string[] = [];
  for (;;) {
    const setup = prepareBundle({ ...options, format, external: [...external] });
    let result;
    try {
      result = await esbuild.build(setup.esbuildOptions);
    } catch (error) {
      const failure = error as { errors?: Message[] };
      if (!failure.errors) throw error;
      throw Object.assign(await setup.failure(failure.errors), { cause: error });
    }
    const findings = await findFidelityProblems(result.metafile, options.root, result.warnings);
    const own = findings.filter((finding) => !finding.packageName);
    // TypeScript cannot ship unbundled (Lambda's runtime does not load it): say what the bundle changes instead.
    if (own.length > 0 && !TS_ENTRY.test(options.entry)) return { unbundled: describeFinding(own[0]!) };
    const ownNotes = own.map(
      (finding) =>
        `${describeFinding(finding)}: the bundle holds only code, so keep the files it reads with a Dockerfile of your own`,
    );
    const fresh = findings.filter((finding) => finding.packageName && !external.has(finding.packageName));
    if (fresh.length === 0) {
      if (format === 'esm') refuseMissingExport(result.metafile, options);
      const bundle = await setup.finish(result);
      const shared = sharedWithExternals(result.metafile, bundle.externalPackages, external);
      if (shared.length === 0) return { ...bundle, warnings: [...notes, ...new Set(ownNotes), ...bundle.warnings] };
      for (const name of shared) {
        external.add(name);
        notes.push(`left ${name} external: an external package requires it too, and it must load once, as on Lambda`);
      }
      continue;
    }
    for (const finding of fresh) {
      if (external.has(finding.packageName!)) continue;
      external.add(finding.packageName!);
      notes.push(`left ${finding.packageName} external: ${describeFinding(finding)}`);
    }
  }
}

/**
 * Packages the bundle holds that an external package also requires from node_modules (a dependency or a peer):
 * bundled, they would load twice, two instances where the program has one.
 */
function sharedWithExternals(metafile: Metafile, externals: ExternalPackage[], external: Set<string>): string[] {
  const bundled = new Set(Object.keys(metafile.inputs).map(packageOfFile));
  return [...new Set(externals.map((pkg) => pkg.name))].filter((name) => bundled.has(name) && !external.has(name));
}

/** An ES module's exports are known at build time: a handler it does not export could never be found. */
function refuseMissingExport(metafile: Metafile, options: BundleOptions): void {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  const name = options.exportPath.split('.')[0]!;
  if (!output || output.exports.includes(name) || output.exports.includes('default')) return;
  const module = toPosix(relative(options.root, options.entry)).replace(/\.[mc]?[jt]s$/, '');
  throw new UserError(
    `Runtime.HandlerNotFound: ${module}.${options.exportPath} is undefined or not exported (${module} exports ${output.exports.join(', ') || 'nothing'})`,
    {
      exitCode: ExitCode.buildFailed,
      hint: 'export the handler under that name, or fix "handler" in lambda.config.json',
    },
  );
}

/**
 * The module format Node gives the entry (by extension, else package.json "type"); a .ts file, which Node
 * does not run, keeps the format its syntax says (ESM unless it only uses module/exports).
 */
export async function chooseOutputFormat(entry: string): Promise<ModuleFormat> {
  if (/\.[cm]?js$/.test(entry) || /\.[cm]ts$/.test(entry)) return nodeFormatOf(entry);
  const esbuild = await import('esbuild');
  try {
    // Only the entry itself: every import is left external, which is enough for esbuild to tell its format.
    const probe = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      external: ['*'],
      platform: 'node',
      write: false,
      metafile: true,
      logLevel: 'silent',
      outdir: '/',
    });
    return Object.values(probe.metafile.inputs)[0]?.format === 'cjs' ? 'cjs' : 'esm';
  } catch {
    return 'esm'; // the real build reports the error
  }
}

const TS_ENTRY = /\.[cm]?tsx?$/;

export const isUnbundled = (result: BundleResult | Unbundled): result is Unbundled => 'unbundled' in result;

/** The bundle, its map and the external packages, as the files a build context needs. */
export async function bundleContextFiles(
  result: BundleResult,
  contextDir = BUNDLE_CONTEXT_DIR,
): Promise<ContextFile[]> {
  return [...result.files, ...(await externalPackageFiles(result.externalPackages, contextDir))];
}
