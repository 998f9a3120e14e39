// The build source of a bundled handler: a context made only of the bundle, its external packages, the runtime and a generated Dockerfile.
import type { Output } from '../core/output.js';
import { packageVersion } from '../core/version.js';
import { imageLabels } from './labels.js';
import type { ResolvedConfig } from '../config/types.js';
import type { BuildSource } from './build-source.js';
import { GENERATED_DOCKERFILE_PATH, generateDockerfile } from './dockerfile.js';
import { runtimeContextFiles } from './runtime-asset.js';
import { BUNDLE_CONTEXT_DIR, bundleContextFiles, bundleHandler, isUnbundled, type BundleResult } from '../bundle/bundle.js';
import { nodeMajorOfImage } from '../bundle/node-target.js';
import { planBundle } from '../bundle/plan.js';
import { typecheckProject } from '../bundle/typecheck.js';

export interface BundleBuildOptions {
  /** Run the project's `tsc --noEmit` first and stop on type errors. */
  typecheck?: boolean;
  /** false: never bundle (--no-bundle). */
  bundle?: boolean;
  signal?: AbortSignal;
}

export interface BundledBuildSource extends BuildSource {
  bundle: BundleResult;
}

/**
 * Bundles the handler when planBundle says so and returns what the build sends; undefined when the
 * handler is shipped as written (a Dockerfile of the user's, --no-bundle, an entry Lambda loads by its own
 * rules, or code whose behaviour the bundle would change), so the caller builds the folder.
 */
export async function bundledBuildSource(config: ResolvedConfig, out: Output, options: BundleBuildOptions = {}): Promise<BundledBuildSource | undefined> {
  const plan = await planBundle(config, { bundle: options.bundle });
  if (!plan.bundle) {
    if (plan.announce) out.warn(`shipping the function unbundled: ${plan.reason}`);
    else out.debug(`not bundling: ${plan.reason}`);
    if (options.typecheck) await out.step('Type checking (tsc --noEmit)', () => typecheckProject(config.configDir, options.signal));
    return undefined;
  }
  if (options.typecheck) await out.step('Type checking (tsc --noEmit)', () => typecheckProject(config.configDir, options.signal));
  const nodeMajor = nodeMajorOfImage(config.baseImage);
  const entry = plan.entry.slice(config.context.length + 1);
  const bundle = await out.step(`Bundling ${entry} for node${nodeMajor}`, () =>
    bundleHandler({ entry: plan.entry, root: config.context, exportPath: plan.exportPath, nodeMajor, external: config.external, format: plan.format }),
  );
  if (isUnbundled(bundle)) {
    // Exactness over size: the folder as written loads exactly as on Lambda.
    out.warn(`shipping the function unbundled: ${bundle.unbundled}`);
    return undefined;
  }
  for (const warning of bundle.warnings) out.warn(warning);
  if (bundle.externalPackages.length > 0) out.info(`  external packages: ${bundle.externalPackages.map((p) => p.name).join(', ')}`);
  const dockerfile = generateDockerfile({
    baseImage: config.baseImage,
    handler: bundle.handler,
    nodeOptions: bundle.nodeOptions,
    appDir: BUNDLE_CONTEXT_DIR,
    tslambdaVersion: packageVersion,
    labels: imageLabels(config),
  });
  return {
    kind: 'generated-dockerfile',
    // No folder: the user's files reach the image only through the bundle.
    context: {
      extraFiles: [...(await runtimeContextFiles()), ...(await bundleContextFiles(bundle)), { path: GENERATED_DOCKERFILE_PATH, content: dockerfile }],
    },
    dockerfile: GENERATED_DOCKERFILE_PATH,
    describe: `generated, bundled ${entry} (FROM ${config.baseImage})`,
    bundle,
  };
}
