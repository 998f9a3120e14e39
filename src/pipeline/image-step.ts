// How a deploy gets its image into the target repository: build and push (skipping the push when the function
// already runs this very build), or, with --image, an existing image copied registry to registry (no build, no
// engine) or a local image pushed through the engine.
import { runsImage, type FunctionView } from '../aws/lambda.js';
import type { Architecture } from '../config/types.js';
import { repoDigestsOf } from '../docker/repo-digests.js';
import { buildStep, type BuildOptions } from './build.js';
import { buildAndPush } from './build-push.js';
import type { PipelineContext } from './context.js';
import type { DeployPlan } from './deploy-plan.js';
import { copyImage } from './image-copy.js';
import { parseImageRef } from './image-ref.js';
import { pushStep, type PushedImage } from './push.js';
import { ecrRegistry, sourceRegistry, type NamedTarget } from './registry-access.js';
import type { Repository } from './repository.js';

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
  const image = await buildStep(ctx, { ...plan.config, tag: plan.tag }, build);
  const running = plan.existing && (await alreadyRunning(ctx, plan.existing, repository, image.id));
  if (running) {
    ctx.out.info(`skipping the push: ${plan.config.functionName} already runs this build (${running.digest})`);
    return running;
  }
  onPush?.();
  return pushStep(ctx, plan.config, plan.target, repository, image, plan.tag);
}

/**
 * The function already runs this build when the engine recorded a push of this very image ID to the target
 * repository (RepoDigests) with the digest the function runs; then neither a push nor a new tag is needed.
 */
export async function alreadyRunning(
  ctx: PipelineContext,
  fn: FunctionView,
  repository: Repository,
  imageId: string,
): Promise<PushedImage | undefined> {
  const prefix = `${repository.uri}@`;
  for (const repoDigest of await repoDigestsOf(await ctx.docker(), imageId)) {
    if (!repoDigest.startsWith(prefix)) continue;
    const digest = repoDigest.slice(prefix.length);
    if (runsImage(fn, { digest, imageUri: repoDigest })) return unpushed(repository, digest, '');
  }
  return undefined;
}

const unpushed = (repository: Repository, digest: string, mediaType: string): PushedImage => ({
  taggedReference: `${repository.uri}@${digest}`,
  digest,
  imageUri: `${repository.uri}@${digest}`,
  mediaType,
  layers: { total: 0, pushed: 0, existed: 0 },
});

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
