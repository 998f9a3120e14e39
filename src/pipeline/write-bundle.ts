// Writes a handler into a folder that can serve as a task root: its bundle and external packages, or, when
// the bundle cannot keep the program's behaviour, the context's own files.
import { copyFile, lstat, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { ExitCode, UserError } from '../core/errors.js';
import type { ResolvedConfig } from '../config/types.js';
import { readDockerignore, selectContextEntries } from '../image/context.js';
import {
  BUNDLE_CONTEXT_DIR,
  bundleContextFiles,
  bundleHandler,
  isUnbundled,
  type BundleResult,
} from '../bundle/bundle.js';
import { nodeMajorOfImage } from '../bundle/node-target.js';
import { planBundle } from '../bundle/plan.js';

type Config = Pick<ResolvedConfig, 'handler' | 'context' | 'dockerfile' | 'baseImage' | 'external'>;

/** What a task root holds: the bundle, or the handler as written (with why it was not bundled). */
export type Shipped = { kind: 'bundled'; result: BundleResult } | { kind: 'unbundled'; reason: string };

/**
 * Bundles the config's handler (refusing one that could never load). `bundle: false` (--no-bundle) or a
 * handler the bundle would change answer `unbundled` with the reason, and nothing is written.
 */
export async function bundleForTaskRoot(config: Config, options: { bundle?: boolean } = {}): Promise<Shipped> {
  const plan = await planBundle(config, { ignoreDockerfile: true, bundle: options.bundle });
  if (!plan.bundle) return { kind: 'unbundled', reason: plan.reason };
  const result = await bundleHandler({
    entry: plan.entry,
    root: config.context,
    exportPath: plan.exportPath,
    nodeMajor: nodeMajorOfImage(config.baseImage),
    external: config.external,
    format: plan.format,
  });
  return isUnbundled(result) ? { kind: 'unbundled', reason: result.unbundled } : { kind: 'bundled', result };
}

/**
 * Writes the handler into `outDir` (the bundle at its handler path, external packages under node_modules/),
 * for `tslambda bundle` or a Dockerfile's build stage; a handler that cannot be bundled faithfully is
 * copied as it is (the context's files, minus .dockerignore's), and the reason is returned.
 */
export async function bundleToDirectory(
  config: Config,
  outDir: string,
  options: { bundle?: boolean } = {},
): Promise<Shipped> {
  const shipped = await bundleForTaskRoot(config, options);
  if (shipped.kind === 'unbundled') {
    await copyContext(config.context, outDir);
    return shipped;
  }
  await writeBundle(shipped.result, outDir);
  return shipped;
}

export async function writeBundle(result: BundleResult, outDir: string): Promise<void> {
  for (const file of await bundleContextFiles(result)) {
    const target = join(outDir, file.path.slice(BUNDLE_CONTEXT_DIR.length + 1));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content, { mode: file.mode });
  }
}

/** Copies what a build context would send, leaving out the output folder itself when it sits inside. */
async function copyContext(context: string, outDir: string): Promise<void> {
  const inside = relative(context, outDir);
  if (inside === '')
    throw new UserError('--out-dir is the context itself', {
      exitCode: ExitCode.usage,
      hint: 'pass another folder, e.g. --out-dir dist',
    });
  const skip = inside.startsWith('..') ? undefined : inside.split(sep).join('/');
  const { entries } = await selectContextEntries(context, await readDockerignore(context));
  for (const entry of entries) {
    if (skip && (entry === skip || entry.startsWith(`${skip}/`))) continue;
    const source = join(context, entry);
    const info = await lstat(source);
    const target = join(outDir, entry);
    if (info.isDirectory()) await mkdir(target, { recursive: true });
    else if (info.isFile()) {
      await mkdir(dirname(target), { recursive: true });
      await copyFile(source, target);
    }
  }
}
