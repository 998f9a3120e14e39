// Rebuilds a handler's bundle incrementally whenever one of its source files changes (invoke-local --watch).
import type { UserError } from '../core/errors.js';
import { prepareBundle, type BundleOptions, type BundleResult } from './bundle.js';

export type WatchEvent =
  | {
      kind: 'bundled';
      result: BundleResult;
      /** The set of external packages changed: the image (or task root) needs them copied again. */
      externalsChanged: boolean;
    }
  | { kind: 'failed'; error: UserError };

export interface BundleWatcher {
  stop(): Promise<void>;
}

const externalsSignature = (result: BundleResult) =>
  result.externalPackages
    .map((p) => `${p.name}@${p.dir}`)
    .sort()
    .join('\n');

/**
 * Bundles once, then again after every change to a file that went into the bundle (esbuild's own
 * incremental watch); each outcome reaches `onEvent` in order. Stop it to release the watchers.
 */
export async function watchBundle(
  options: BundleOptions,
  onEvent: (event: WatchEvent) => void | Promise<void>,
): Promise<BundleWatcher> {
  const esbuild = await import('esbuild');
  const setup = prepareBundle(options);
  let previous: string | undefined;
  const context = await esbuild.context({
    ...setup.esbuildOptions,
    plugins: [
      ...setup.esbuildOptions.plugins,
      {
        name: 'tslambda-watch',
        setup(build) {
          build.onEnd(async (result) => {
            if (result.errors.length > 0) return onEvent({ kind: 'failed', error: await setup.failure(result.errors) });
            const bundle = await setup.finish({ outputFiles: result.outputFiles ?? [], metafile: result.metafile! });
            const signature = externalsSignature(bundle);
            const externalsChanged = previous !== undefined && signature !== previous;
            previous = signature;
            await onEvent({ kind: 'bundled', result: bundle, externalsChanged });
          });
        },
      },
    ],
  });
  await context.watch();
  return { stop: () => context.dispose() };
}
