// What a reload does, per place the function runs: a host task root is rewritten under the same launcher, a
// host program is restarted, a container gets a new image. The watch loop asks the reloader for the next version and never branches on which.

import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { ExitCode, UserError } from '../../core/errors.js';
import type { ProgramConfig } from '../../config/program.js';
import type { ResolvedConfig } from '../../config/types.js';
import type { BundleResult } from '../../bundle/bundle.js';
import { bundleToDirectory } from '../../pipeline/write-bundle.js';
import type { BuiltImage } from '../../pipeline/build.js';
import { discardReplacedImage } from '../../docker/discard-image.js';
import type { RuntimeLauncher } from '../execution/launcher.js';
import { emptyFolder, writeTaskRoot } from './task-root.js';

/** What changed since the last reload, merged while a reload was busy: only the newest state is built. */
export interface Pending {
  bundle?: { result: BundleResult; externalsChanged: boolean };
  files: Set<string>;
  /** When the first of these changes was noticed, for the reload time shown. */
  since: number;
}

/** The next version, ready to swap in. */
export interface NextVersion {
  launcher: RuntimeLauncher;
  /** Runs between the old environments' stop and the new ones' start (they use what it replaces until then). */
  whileStopped?: () => Promise<void>;
  /** Records what now runs, once the swap succeeded. */
  commit(): void;
}

/** The running environments already run the newest code (an exec program reads its files at every invocation). */
export interface SameEnvironments {
  sameEnvironments: string;
}

export interface Reloader {
  /** The next version, or a note saying why there is nothing to reload or nothing to restart. */
  next(pending: Pending, first: boolean): Promise<NextVersion | SameEnvironments | { unchanged: string }>;
}

/** Docker runs: the build step makes an image; the replaced one is discarded once its containers are gone. */
export function imageReloader(
  docker: Docker,
  build: () => Promise<BuiltImage>,
  launcherFor: (image: string) => RuntimeLauncher,
): Reloader {
  let image: BuiltImage | undefined;
  return {
    async next() {
      const built = await build();
      // A save that changes nothing the image holds (a comment, a file the Dockerfile does not copy) is not a new version.
      if (image?.id === built.id) return { unchanged: 'same image as before: nothing to reload' };
      const replaced = image?.id;
      return {
        launcher: launcherFor(built.id),
        ...(replaced ? { whileStopped: async () => void (await discardReplacedImage(docker, replaced)) } : {}),
        commit: () => (image = built),
      };
    },
  };
}

/**
 * Host runs of a program: it runs from the project folder itself, so a save needs no copy. A warm program (stdio,
 * http) holds the old code and is restarted with its environments; an exec program starts afresh per invocation.
 */
export function programReloader(program: ProgramConfig, launcher: RuntimeLauncher): Reloader {
  return {
    async next(_pending, first) {
      if (!first && program.protocol === 'exec')
        return { sameEnvironments: 'exec starts the program afresh for every invocation: nothing to restart' };
      return { launcher, commit: () => undefined };
    },
  };
}

/** Host runs: the same launcher over a task root rewritten with the newest bundle. */
export function taskRootReloader(config: ResolvedConfig, taskRoot: string, launcher: RuntimeLauncher): Reloader {
  let bundleSeen: string | undefined;
  return {
    async next(pending, first) {
      // Only a bundle alone can be compared: changed manifests or externals always reload.
      const fingerprint =
        pending.files.size === 0 && pending.bundle ? bundleFingerprint(pending.bundle.result) : undefined;
      if (!first && fingerprint !== undefined && fingerprint === bundleSeen)
        return { unchanged: 'same bundle as before: nothing to reload' };
      let written: BundleResult | undefined;
      return {
        launcher,
        whileStopped: async () => void (written = await refreshTaskRoot(taskRoot, config, pending, first)),
        commit: () => (bundleSeen = written && bundleFingerprint(written)),
      };
    },
  };
}

/** Identifies a bundle by its bytes and external packages, to tell a save that changed nothing. */
function bundleFingerprint(result: BundleResult): string {
  const hash = createHash('sha256');
  for (const file of result.files) hash.update(file.path).update('\0').update(file.content).update('\0');
  for (const pkg of result.externalPackages) hash.update(`${pkg.name}@${pkg.dir}\0`);
  return hash.digest('hex');
}

/** Brings the host task root up to the newest code: the bundle alone when only sources changed, else all of it. */
async function refreshTaskRoot(
  taskRoot: string,
  config: ResolvedConfig,
  pending: Pending,
  first: boolean,
): Promise<BundleResult> {
  if (pending.files.size > 0 || !pending.bundle) {
    // Manifests, lockfiles or external packages changed: bundle afresh, which copies the externals again.
    await emptyFolder(taskRoot);
    const shipped = await bundleToDirectory(config, taskRoot);
    if (shipped.kind === 'unbundled')
      throw new UserError(`--watch --no-docker runs bundled handlers only: ${shipped.reason}`, {
        exitCode: ExitCode.buildFailed,
        hint: 'drop --no-docker to watch it in its image, or --watch to run it as written',
      });
    return shipped.result;
  }
  await writeTaskRoot(taskRoot, pending.bundle.result, { externals: first || pending.bundle.externalsChanged });
  return pending.bundle.result;
}
