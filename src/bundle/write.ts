// Writes a bundled handler and its external packages into a folder that can serve as a task root.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ExitCode, UserError } from '../cli/errors.js';
import type { ResolvedConfig } from '../config/types.js';
import { BUNDLE_CONTEXT_DIR, bundleContextFiles, bundleHandler, type BundleResult } from './bundle.js';
import { nodeMajorOfImage } from './node-target.js';
import { planBundle } from './plan.js';

/**
 * Bundles the config's handler into `outDir` (the bundle at its handler path, external packages under
 * node_modules/), for `tslambda bundle`, a Dockerfile's build stage, or a host process (invoke-local --no-docker).
 */
export async function bundleToDirectory(config: Pick<ResolvedConfig, 'handler' | 'context' | 'dockerfile' | 'baseImage' | 'external'>, outDir: string): Promise<BundleResult> {
  const plan = await planBundle(config, { ignoreDockerfile: true });
  if (!plan.bundle)
    throw new UserError(`cannot bundle handler ${JSON.stringify(config.handler)}: ${plan.reason}`, {
      exitCode: ExitCode.buildFailed,
      hint: 'point "handler" at a .ts, .mts, .cts, .js or .mjs file, e.g. src/handler.handler for src/handler.ts',
    });
  const result = await bundleHandler({ entry: plan.entry, root: config.context, exportPath: plan.exportPath, nodeMajor: nodeMajorOfImage(config.baseImage), external: config.external });
  for (const file of await bundleContextFiles(result)) {
    const target = join(outDir, file.path.slice(BUNDLE_CONTEXT_DIR.length + 1));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content, { mode: file.mode });
  }
  return result;
}
