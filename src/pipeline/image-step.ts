// How a deploy gets its image into the target repository: build and push (skipping the build and the push when the
// function already runs an image of the same build inputs, up-to-date.ts), or, with --image, an existing image
// copied registry to registry (no build, no engine) or a local image pushed through the engine.
import type { Architecture } from '../config/types.js';
import { prepareBuild, runBuild, type BuildOptions } from './build.js';
import { buildAndPush } from './build-push.js';
import type { PipelineContext } from './context.js';
import type { DeployPlan } from './deploy-plan.js';
import { copyImage } from './image-copy.js';
import { parseImageRef } from './image-ref.js';
import { pushStep, type PushedImage } from './push.js';
import { ecrRegistry, sourceRegistry, type NamedTarget } from './registry-access.js';
import type { Repository } from './repository.js';
import { imageToPush, pushUnlessRunning, runningAlready, sameInputsImages, unpushed } from './up-to-date.js';

/** `deploy --image` (and promote): the image to deploy instead of a build, and the target that holds it. */
export interface ExistingImage {
  reference: string;
  from?: NamedTarget;
}

export interface StepContext extends PipelineContext {
  env: NodeJS.ProcessEnv;
}

/**
 * The image the function should run, in the target repository, by digest. `onPush` is called when a local build is
 * done and its push starts (a remote builder pushes within its build).
 */
export async function imageStep(
  ctx: StepContext,
  plan: DeployPlan,
  repository: Repository,
  build: BuildOptions,
  onPush?: () => void,
): Promise<PushedImage> {
  if (plan.request.image) return existingImageStep(ctx, plan, repository, plan.request.image);
  if (plan.config.builder?.type === 'codebuild') {
    const current = plan.existing?.resolvedImageUri;
    const cacheFrom = current?.includes('@') ? current : undefined;
    return buildAndPush(ctx, plan.config, plan.target, repository, plan.tag, build, cacheFrom);
  }
  const config = { ...plan.config, tag: plan.tag };
  const prepared = await prepareBuild(ctx, config, build);
  const images = await sameInputsImages(ctx, prepared, build);
  const current = runningAlready(ctx, images, plan.existing, repository, config.functionName);
  if (current) return current;
  const image = await imageToPush(ctx, images, () => runBuild(ctx, config, prepared, build));
  return pushUnlessRunning(ctx, plan.existing, repository, image, config.functionName, () => {
    onPush?.();
    return pushStep(ctx, plan.config, plan.target, repository, image, plan.tag);
  });
}

/** The architecture the image must have: the function's when it exists, else the config's (for --create). */
const architectureOf = (plan: DeployPlan): Architecture => plan.existing?.architecture ?? plan.config.architecture;

async function existingImageStep(
  ctx: StepContext,
  plan: DeployPlan,
  repository: Repository,
  image: ExistingImage,
): Promise<PushedImage> {
  const ref = parseImageRef(image.reference);
  const architecture = architectureOf(plan);
  if (ref.kind === 'local') {
    // A local image goes through the engine as a build would; the push checks its platform.
    return pushStep(ctx, { ...plan.config, architecture }, plan.target, repository, { id: ref.name }, plan.tag);
  }
  const target = await ecrRegistry(plan.target.clients.ecr, repository.registryId, ctx);
  const source = await sourceRegistry(
    ref,
    { target: plan.target, registry: target, profile: plan.config.profile },
    image.from,
    ctx,
  );
  // The copy keeps the source's tag; by digest it takes --tag / config "tag", else one named after the digest.
  const tag = plan.config.tag ?? ref.tag ?? `sha256-${ref.digest!.slice(7, 19)}`;
  const copied = await ctx.out.step(`Copying ${ref.text} to ${repository.uri}`, (update) =>
    copyImage({
      source: { client: source, repository: ref.repository, reference: ref.digest ?? ref.tag! },
      target: { client: target, repository: repository.name, tag },
      architecture,
      update,
    }),
  );
  const { blobs } = copied;
  ctx.out.info(
    copied.copied
      ? `copied ${copied.digest}: ${blobs.copied} blobs copied (${(blobs.bytes / 1024 / 1024).toFixed(1)} MB), ${blobs.mounted} mounted, ${blobs.skipped} already there`
      : `${repository.uri} already holds ${copied.digest}; nothing copied`,
  );
  return {
    ...unpushed(repository, copied.digest, copied.mediaType),
    taggedReference: copied.copied ? `${repository.uri}:${tag}` : `${repository.uri}@${copied.digest}`,
  };
}
