// Keeps a host task root (invoke-local --no-docker --watch) in step with the latest bundle of the handler.

import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BUNDLE_CONTEXT_DIR, bundleContextFiles, type BundleResult } from '../../bundle/bundle.js';

/**
 * Writes the bundle and its map into `taskRoot`; with `externals`, empties the folder first and copies the
 * external packages again too (their set changed, or this is the first write).
 */
export async function writeTaskRoot(
  taskRoot: string,
  result: BundleResult,
  options: { externals: boolean },
): Promise<void> {
  if (options.externals) await emptyFolder(taskRoot);
  const files = options.externals ? await bundleContextFiles(result) : result.files;
  for (const file of files) {
    const target = join(taskRoot, file.path.slice(BUNDLE_CONTEXT_DIR.length + 1));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content, { mode: file.mode });
  }
}

/** Removes what the folder holds, keeping the folder itself (the host process's working folder). */
export async function emptyFolder(folder: string): Promise<void> {
  for (const name of await readdir(folder)) await rm(join(folder, name), { recursive: true, force: true });
}
