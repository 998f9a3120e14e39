// Work a deploy or push need not do. Before a build: a local image labelled with the same build-inputs hash is what
// the build would make, so when the function already runs its push (deploy) or the registry's tag names it (push),
// nothing is built, pushed or updated; else it is pushed as it is, without a build. After a build: the engine's
// record of this very image's push (RepoDigests) still spares the push when the rebuild came out identical.
import { runsImage, type FunctionView } from '../aws/lambda.js';
import { imagesLabelled, repoDigestsOf, type LabelledImage } from '../docker/image-lookup.js';
import type { RegistryCredentials } from '../docker/push.js';
import { INPUTS_LABEL } from '../image/inputs.js';
import type { AwsTarget } from './aws-target.js';
import type { BuildOptions, BuiltImage, PreparedBuild } from './build.js';
import type { PipelineContext } from './context.js';
import type { PushedImage } from './push.js';
import type { Repository } from './repository.js';

/** A pushed image found, not pushed: no layer went anywhere. */
export const unpushed = (repository: Repository, digest: string, mediaType = ''): PushedImage => ({
  taggedReference: `${repository.uri}@${digest}`,
  digest,
  imageUri: `${repository.uri}@${digest}`,
  mediaType,
  layers: { total: 0, pushed: 0, existed: 0 },
});

/** The digests the engine recorded for pushes of the image to this repository. */
const digestsIn = (repoDigests: string[], repository: Repository): string[] =>
  repoDigests.filter((ref) => ref.startsWith(`${repository.uri}@`)).map((ref) => ref.slice(repository.uri.length + 1));

/** Local images built from the prepared inputs; none when the options ask for a fresh build (--no-cache, --pull). */
export async function sameInputsImages(
  ctx: PipelineContext,
  prepared: PreparedBuild,
  options: BuildOptions,
): Promise<LabelledImage[]> {
  if (!prepared.inputs || options.noCache || options.pull) return [];
  return imagesLabelled(await ctx.docker(), INPUTS_LABEL, prepared.inputs);
}

/** The push of one of these images that the function already runs from this repository. */
function runningAmong(images: LabelledImage[], fn: FunctionView, repository: Repository): PushedImage | undefined {
  for (const image of images)
    for (const digest of digestsIn(image.repoDigests, repository))
      if (runsImage(fn, { digest, imageUri: `${repository.uri}@${digest}` })) return unpushed(repository, digest);
  return undefined;
}

/**
 * Deploy, before a build: the push the function (`fn`, when it exists) already runs among these images of the same
 * inputs; said on the way, since nothing will be built, pushed or updated.
 */
export function runningAlready(
  ctx: PipelineContext,
  images: LabelledImage[],
  fn: FunctionView | undefined,
  repository: Repository,
  functionName: string,
): PushedImage | undefined {
  const current = fn && runningAmong(images, fn, repository);
  if (current) ctx.out.info(upToDateLine(`${functionName} already runs`, current));
  return current;
}

/**
 * Push: the push of one of these images that the registry's `tag` names now (one manifest read, no upload), said on
 * the way. The token it logged in with is handed on, so that a push that follows asks ECR for none.
 */
export async function taggedAmong(
  ctx: PipelineContext,
  images: LabelledImage[],
  target: AwsTarget,
  repository: Repository,
  tag: string,
): Promise<{ found?: PushedImage; token?: RegistryCredentials }> {
  const ours = new Set(images.flatMap((image) => digestsIn(image.repoDigests, repository)));
  if (ours.size === 0) return {};
  // Loaded here: `build` shares this module and never reads a registry.
  const [{ getRegistryCredentials }, { RegistryClient }] = await Promise.all([
    import('../aws/ecr.js'),
    import('../docker/registry.js'),
  ]);
  const token = await getRegistryCredentials(target.clients.ecr, repository.registryId);
  ctx.out.debug(`registry ${token.serverAddress}: user ${token.username}, password ****`);
  const registry = new RegistryClient({ endpoint: token.endpoint, credentials: async () => token, signal: ctx.signal });
  const manifest = await registry.manifest(repository.name, tag);
  if (!manifest || !ours.has(manifest.digest)) return { token };
  const found = unpushed(repository, manifest.digest, manifest.mediaType);
  ctx.out.info(upToDateLine(`${repository.uri}:${tag} already names`, found));
  return { found: { ...found, taggedReference: `${repository.uri}:${tag}` }, token };
}

/** One line for a target found up to date before any build. */
const upToDateLine = (subject: string, pushed: PushedImage) =>
  `up to date: ${subject} ${pushed.digest}, built from the same inputs; nothing built or pushed`;

/** The image a push sends: a labelled one standing in for the build when there is one, else a fresh build. */
export async function imageToPush(
  ctx: PipelineContext,
  images: LabelledImage[],
  build: () => Promise<Pick<BuiltImage, 'id'>>,
): Promise<Pick<BuiltImage, 'id'>> {
  const [image] = images;
  if (!image) return build();
  ctx.out.info(`no build: ${image.id.replace(/^sha256:/, '').slice(0, 12)} was built from the same inputs`);
  return { id: image.id };
}

/**
 * Deploy, after the build: `push()`, unless the function already runs this very image. The engine recorded a push
 * of this image ID to the target repository (RepoDigests) with the digest the function runs: then neither a push
 * nor a new tag is needed.
 */
export async function pushUnlessRunning(
  ctx: PipelineContext,
  fn: FunctionView | undefined,
  repository: Repository,
  image: Pick<BuiltImage, 'id'>,
  functionName: string,
  push: () => Promise<PushedImage>,
): Promise<PushedImage> {
  if (!fn) return push();
  const repoDigests = await repoDigestsOf(await ctx.docker(), image.id);
  const running = runningAmong([{ id: image.id, repoDigests }], fn, repository);
  if (!running) return push();
  ctx.out.info(`skipping the push: ${functionName} already runs this build (${running.digest})`);
  return running;
}
