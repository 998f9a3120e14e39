// Notices changes to whatever a function is made of (invoke-local --watch): the bundle's sources through esbuild's
// own incremental watch, and through node:fs.watch the few files outside it — package manifests and lockfiles,
// external packages, the Dockerfile — or, for a function built from a Dockerfile or a program, the whole context.

import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { UserError, ExitCode } from '../../core/errors.js';
import type { ResolvedConfig } from '../../config/types.js';
import type { BundleResult } from '../../bundle/bundle.js';
import { nodeMajorOfImage } from '../../bundle/node-target.js';
import { planBundle, type BundlePlan } from '../../bundle/plan.js';
import { watchBundle, type BundleWatcher } from '../../bundle/watch.js';
import dockerignore from '@balena/dockerignore';
import { readDockerignore, RESERVED_DIR } from '../../image/context.js';

export type SourceChange =
  /** A new bundle of the handler (the first one right after the watch starts). */
  | { kind: 'bundled'; result: BundleResult; externalsChanged: boolean }
  /** The handler's sources do not bundle (a syntax error, an import that does not resolve). */
  | { kind: 'failed'; error: UserError }
  /** Files outside the bundle changed (absolute paths); [] when a watch over a build context starts. */
  | { kind: 'files'; paths: string[] };

export interface SourceWatchOptions {
  config: Pick<ResolvedConfig, 'handler' | 'context' | 'dockerfile' | 'baseImage' | 'external' | 'program'>;
  /** host: the handler is always bundled; docker: bundled only when a build would bundle it. */
  mode: 'host' | 'docker';
  /** false: --no-bundle. */
  bundle: boolean;
  onChange: (change: SourceChange) => void;
}

export interface SourceWatcher {
  /** What is being watched, for the user: "the bundle of src/handler.ts" or "the build context". */
  readonly describe: string;
  stop(): Promise<void>;
}

/** Files next to the handler that change what an image or task root holds without being part of the bundle. */
const PROJECT_FILES = ['package.json', 'package-lock.json', 'npm-shrinkwrap.json'];
/** File-system events of one save come in bursts (write, chmod, rename): one change is reported per burst. */
const SETTLE_MS = 30;

export async function watchSources(options: SourceWatchOptions): Promise<SourceWatcher> {
  const { config, mode } = options;
  // A program is not bundled: its folder is what the image holds, and what the host runs.
  if (config.program) return mode === 'host' ? watchContext(options, HOST_PROGRAM) : watchContext(options);
  let plan = await planBundle(config, { bundle: options.bundle, ignoreDockerfile: mode === 'host' });
  if (!plan.bundle && mode === 'host') {
    throw new UserError(`cannot bundle handler ${JSON.stringify(config.handler)}: ${plan.reason}`, {
      exitCode: ExitCode.buildFailed,
      hint: 'point "handler" at a .ts, .mts, .cts, .js or .mjs file, e.g. src/handler.handler for src/handler.ts',
    });
  }
  let current = await startFor(plan, options);
  // A Dockerfile appearing in (or leaving) the context changes what a build does: bundle, or build the folder.
  let replanning: Promise<void> = Promise.resolve();
  const replan = () =>
    (replanning = replanning.then(async () => {
      const next = await planBundle(config, { bundle: options.bundle });
      if (next.bundle === plan.bundle) return;
      plan = next;
      await current.stop();
      current = await startFor(plan, options);
    }));
  const dockerfileWatch =
    mode === 'docker' && !config.dockerfile
      ? watchFiles(config.context, ['Dockerfile'], () => void replan().catch(() => undefined))
      : undefined;
  return {
    get describe() {
      return current.describe;
    },
    async stop() {
      dockerfileWatch?.close();
      await replanning.catch(() => undefined);
      await current.stop();
    },
  };
}

async function startFor(plan: BundlePlan, options: SourceWatchOptions): Promise<SourceWatcher> {
  return plan.bundle ? watchBundled(plan, options) : watchContext(options);
}

/** The bundle's inputs (esbuild), the project's manifests and lockfiles, and the folders of external packages. */
async function watchBundled(
  plan: Extract<BundlePlan, { bundle: true }>,
  options: SourceWatchOptions,
): Promise<SourceWatcher> {
  const { config, onChange } = options;
  const settle = settler((paths) => onChange({ kind: 'files', paths }));
  const projectFiles = watchFiles(config.context, PROJECT_FILES, settle);
  const externalWatches = new Map<string, FSWatcher>();
  const watchExternals = (result: BundleResult) => {
    const dirs = new Set(result.externalPackages.map((pkg) => pkg.dir));
    for (const [dir, watcher] of externalWatches) if (!dirs.has(dir)) watcher.close(), externalWatches.delete(dir);
    for (const dir of dirs)
      if (!externalWatches.has(dir))
        externalWatches.set(
          dir,
          watchTree(dir, (path) => settle(path)),
        );
  };
  const bundler: BundleWatcher = await watchBundle(
    {
      entry: plan.entry,
      root: config.context,
      exportPath: plan.exportPath,
      nodeMajor: nodeMajorOfImage(config.baseImage),
      external: config.external,
      format: plan.format,
    },
    (event) => {
      if (event.kind === 'bundled') watchExternals(event.result);
      onChange(
        event.kind === 'bundled'
          ? { kind: 'bundled', result: event.result, externalsChanged: event.externalsChanged }
          : event,
      );
    },
  );
  return {
    describe: `${relative(config.context, plan.entry)} and its imports`,
    async stop() {
      settle.cancel();
      projectFiles.close();
      for (const watcher of externalWatches.values()) watcher.close();
      await bundler.stop();
    },
  };
}

/** How a watch over the function's folder tells the user what it watches, and what it leaves out beyond .dockerignore. */
interface ContextWatch {
  describe: string;
  /** Files that running the function writes (relative, with /), whose change is not the user's. */
  ignores?: (rel: string) => boolean;
}

const BUILD_CONTEXT: ContextWatch = { describe: 'the build context' };
/** A program run on the host writes next to its sources: Python's bytecode caches would restart it after each save. */
const HOST_PROGRAM: ContextWatch = {
  describe: "the program's folder",
  ignores: (rel) => rel.endsWith('.pyc') || rel.split('/').includes('__pycache__'),
};

/** A function built from a Dockerfile, or a program: every file the build context would send (.dockerignore applies). */
async function watchContext(options: SourceWatchOptions, watching = BUILD_CONTEXT): Promise<SourceWatcher> {
  const { config, onChange } = options;
  let ignore = ignoreMatcher(await readDockerignore(config.context));
  const settle = settler((paths) => onChange({ kind: 'files', paths }));
  const context = watchTree(config.context, (path) => {
    const rel = relative(config.context, path).split(sep).join('/');
    if (rel === '.git' || rel.startsWith('.git/') || rel === RESERVED_DIR || rel.startsWith(`${RESERVED_DIR}/`)) return;
    if (watching.ignores?.(rel)) return;
    if (rel === '.dockerignore') {
      void readDockerignore(config.context).then((patterns) => (ignore = ignoreMatcher(patterns)));
    } else if (rel !== 'Dockerfile' && ignore.ignores(rel)) return;
    settle(path);
  });
  // A Dockerfile named in the config may live outside the context.
  const outside =
    config.dockerfile && relative(config.context, config.dockerfile).startsWith('..')
      ? watchFiles(dirname(config.dockerfile), [basename(config.dockerfile)], settle)
      : undefined;
  // The first build of the watch.
  queueMicrotask(() => onChange({ kind: 'files', paths: [] }));
  return {
    describe: watching.describe,
    async stop() {
      settle.cancel();
      context.close();
      outside?.close();
    },
  };
}

/** Collects paths and reports them once no new one came for SETTLE_MS. */
function settler(report: (paths: string[]) => void) {
  const paths = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const add = (path: string) => {
    paths.add(path);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const batch = [...paths];
      paths.clear();
      report(batch);
    }, SETTLE_MS);
  };
  return Object.assign(add, { cancel: () => clearTimeout(timer) });
}

/**
 * Watches named files in a folder by watching the folder: editors save by writing a new file and renaming it over
 * the old one, which a watch on the file itself would lose; a file that does not exist yet is noticed when it appears.
 */
function watchFiles(folder: string, names: string[], onPath: (path: string) => void): FSWatcher {
  const wanted = new Set(names);
  const watcher = watch(folder, { persistent: false }, (_event, name) => {
    if (name && wanted.has(name.toString())) onPath(join(folder, name.toString()));
  });
  watcher.on('error', () => watcher.close());
  return watcher;
}

/** Every file under a folder (node:fs.watch recursive, native on Linux since Node 20, macOS and Windows). */
function watchTree(folder: string, onPath: (path: string) => void): FSWatcher {
  const watcher = watch(folder, { recursive: true, persistent: false }, (_event, name) => {
    if (name) onPath(join(folder, name.toString()));
  });
  watcher.on('error', () => watcher.close());
  return watcher;
}

// The package assigns its factory to module.exports and to .default; under NodeNext the types name the latter.
const ignoreMatcher = (patterns: string[]) => dockerignore.default().add(patterns);
