// Decides what a build sends, in one place: the user's Dockerfile over their folder, or a generated
// Dockerfile over the bundle, or over the folder when the handler ships as written. Labels are decided here too.
import { access, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { UserError } from '../core/errors.js';
import type { Output } from '../core/output.js';
import { packageVersion } from '../core/version.js';
import type { ResolvedConfig } from '../config/types.js';
import {
  BUNDLE_CONTEXT_DIR,
  bundleContextFiles,
  bundleHandler,
  isUnbundled,
  type BundleResult,
} from '../bundle/bundle.js';
import { nodeMajorOfImage } from '../bundle/node-target.js';
import { planBundle, type BundlePlan } from '../bundle/plan.js';
import { typecheckProject } from '../bundle/typecheck.js';
import type { ContextFile, ContextPlan } from './context.js';
import { GENERATED_APP_DIR, GENERATED_DOCKERFILE_PATH, generateDockerfile } from './dockerfile.js';
import { imageLabels } from './labels.js';
import { generateProgramDockerfile } from './program-dockerfile.js';
import { runtimeContextFiles } from './runtime-asset.js';
import { appendLayers, layerContextFiles, layerCopyLines, type Layer } from './layers.js';

export interface ImageSource {
  kind: 'user-dockerfile' | 'generated-dockerfile';
  context: ContextPlan;
  /** The Dockerfile's path inside the tar, as the daemon's `dockerfile` parameter wants it. */
  dockerfile: string;
  /** Labels the engine must add: a user's Dockerfile has none of ours; a generated one carries them itself (one early step). */
  labels?: Record<string, string>;
  /** Shown to the user: which Dockerfile was used. */
  describe: string;
  /** The bundle, when the image ships one. */
  bundle?: BundleResult;
  /** The stage to build when it is not the config's `target` (a stage tslambda added for layers). */
  target?: string;
}

export interface ImageSourceOptions {
  /** Run the project's `tsc --noEmit` first and stop on type errors. */
  typecheck?: boolean;
  /** false: never bundle (--no-bundle). */
  bundle?: boolean;
  signal?: AbortSignal;
  /** The config's "layers", read (pipeline/layers.ts): copied into /opt. */
  layers?: Layer[];
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json'] as const;

/** A TS/JS handler without a Dockerfile of the user's is bundled; anything else (a program too) builds as written. */
export async function resolveImageSource(
  config: ResolvedConfig,
  out: Output,
  options: ImageSourceOptions = {},
): Promise<ImageSource> {
  const labels = imageLabels(config);
  // A program in any language: nothing to bundle or type-check, its own Dockerfile (see program-dockerfile.ts).
  const layers = options.layers ?? [];
  if (config.program) return folderSource(config, labels, layers);
  const plan = await planBundle(config, { bundle: options.bundle });
  if (!plan.bundle) {
    if (plan.announce) out.warn(`shipping the function unbundled: ${plan.reason}`);
    else out.debug(`not bundling: ${plan.reason}`);
  }
  if (options.typecheck)
    await out.step('Type checking (tsc --noEmit)', () => typecheckProject(config.configDir, options.signal));
  if (plan.bundle) {
    const bundled = await bundledSource(config, out, plan, labels, layers);
    if (bundled) return bundled;
  }
  return folderSource(config, labels, layers);
}

/** The folder as written: under the user's Dockerfile when there is one, else under a generated one. */
async function folderSource(
  config: ResolvedConfig,
  labels: Record<string, string>,
  layers: Layer[],
): Promise<ImageSource> {
  const userDockerfile =
    config.dockerfile ??
    ((await exists(join(config.context, 'Dockerfile'))) ? join(config.context, 'Dockerfile') : undefined);
  return userDockerfile
    ? userDockerfileSource(config, userDockerfile, labels, layers)
    : generatedFolderSource(config, labels, layers);
}

/** Bundles the handler; undefined when the bundle would change behaviour, so the folder ships as written. */
async function bundledSource(
  config: ResolvedConfig,
  out: Output,
  plan: Extract<BundlePlan, { bundle: true }>,
  labels: Record<string, string>,
  layers: Layer[],
): Promise<ImageSource | undefined> {
  const nodeMajor = nodeMajorOfImage(config.baseImage);
  const entry = plan.entry.slice(config.context.length + 1);
  const bundle = await out.step(`Bundling ${entry} for node${nodeMajor}`, () =>
    bundleHandler({
      entry: plan.entry,
      root: config.context,
      exportPath: plan.exportPath,
      nodeMajor,
      external: config.external,
      format: plan.format,
    }),
  );
  if (isUnbundled(bundle)) {
    // Exactness over size: the folder as written loads exactly as on Lambda.
    out.warn(`shipping the function unbundled: ${bundle.unbundled}`);
    return undefined;
  }
  for (const warning of bundle.warnings) out.warn(warning);
  if (bundle.externalPackages.length > 0)
    out.info(`  external packages: ${bundle.externalPackages.map((p) => p.name).join(', ')}`);
  const dockerfile = generateDockerfile({
    baseImage: config.baseImage,
    handler: bundle.handler,
    nodeOptions: bundle.nodeOptions,
    appDir: BUNDLE_CONTEXT_DIR,
    tslambdaVersion: packageVersion,
    labels,
    layerCopies: layerCopyLines(layers),
  });
  return {
    kind: 'generated-dockerfile',
    // No folder: the user's files reach the image only through the bundle.
    context: {
      extraFiles: [
        ...(await runtimeContextFiles({ programs: false })),
        ...(await bundleContextFiles(bundle)),
        ...layerContextFiles(layers),
        { path: GENERATED_DOCKERFILE_PATH, content: dockerfile },
      ],
    },
    dockerfile: GENERATED_DOCKERFILE_PATH,
    describe: `generated, bundled ${entry} (FROM ${config.baseImage})`,
    bundle,
  };
}

async function userDockerfileSource(
  config: ResolvedConfig,
  userDockerfile: string,
  labels: Record<string, string>,
  layers: Layer[],
): Promise<ImageSource> {
  const runtime = [...(await runtimeContextFiles()), ...layerContextFiles(layers)];
  const content = await readFile(userDockerfile, 'utf8').catch(() => {
    throw new UserError(`dockerfile not found: ${userDockerfile}`, {
      hint: 'fix "dockerfile" in the config (relative to the config file), or remove it to let tslambda generate one',
    });
  });
  const inside = relative(config.context, userDockerfile);
  // With layers the Dockerfile gains their COPY lines: the edited copy travels under tslambda's folder.
  const layered = appendLayers(content, layers, config.target);
  const isInsideContext =
    layered.dockerfile === content && !inside.startsWith('..') && !inside.startsWith(sep) && inside !== '';
  // A Dockerfile outside the context travels in the tar under tslambda's folder, as the docker CLI does.
  const extraFiles: ContextFile[] = isInsideContext
    ? runtime
    : [...runtime, { path: GENERATED_DOCKERFILE_PATH, content: layered.dockerfile }];
  const dockerfile = isInsideContext ? inside.split(sep).join('/') : GENERATED_DOCKERFILE_PATH;
  return {
    kind: 'user-dockerfile',
    context: { directory: config.context, dockerfilePath: isInsideContext ? dockerfile : undefined, extraFiles },
    dockerfile,
    labels,
    describe: relative(config.configDir, userDockerfile) || userDockerfile,
    ...(layered.target !== config.target ? { target: layered.target } : {}),
  };
}

async function generatedFolderSource(
  config: ResolvedConfig,
  labels: Record<string, string>,
  layers: Layer[],
): Promise<ImageSource> {
  let lockfile: (typeof LOCKFILES)[number] | undefined;
  for (const name of LOCKFILES) if (!lockfile && (await exists(join(config.context, name)))) lockfile = name;
  const common = {
    baseImage: config.baseImage,
    appDir: GENERATED_APP_DIR,
    tslambdaVersion: packageVersion,
    labels,
    layerCopies: layerCopyLines(layers),
  };
  // A program in any language: no npm step, its own entrypoint (see program-dockerfile.ts).
  const dockerfile = config.program
    ? generateProgramDockerfile({ ...common, program: config.program })
    : generateDockerfile({ ...common, handler: config.handler, lockfile });
  return {
    kind: 'generated-dockerfile',
    context: {
      directory: config.context,
      directoryPrefix: GENERATED_APP_DIR,
      extraFiles: [
        ...(await runtimeContextFiles({ programs: config.program !== undefined })),
        ...layerContextFiles(layers),
        { path: GENERATED_DOCKERFILE_PATH, content: dockerfile },
      ],
    },
    dockerfile: GENERATED_DOCKERFILE_PATH,
    describe: `generated (FROM ${config.baseImage})`,
  };
}
