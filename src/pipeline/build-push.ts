// Build and push: by the local engine, or by a remote builder (config "builder", --builder) that pushes itself.
// Either way the result is the pushed image, by digest. Locally, an image of the same build inputs that the tag
// already names is not built or pushed again (up-to-date.ts).
import type { Repository } from '../aws/ecr.js';
import type { ResolvedConfig } from '../config/types.js';
import type { AwsTarget } from './aws-target.js';
import { prepareBuild, runBuild, type BuildOptions } from './build.js';
import type { PipelineContext } from './context.js';
import { pushStep, type PushedImage } from './push.js';
import { imageToPush, sameInputsImages, taggedAmong } from './up-to-date.js';

export async function buildAndPush(
  ctx: PipelineContext,
  config: ResolvedConfig,
  target: AwsTarget,
  repository: Repository,
  tag: string,
  options: BuildOptions,
  /** The function's current image by digest: a remote build pulls it as a layer cache. */
  cacheFrom?: string,
  /** Called when a local build is done and its push starts (a remote build pushes within its build). */
  onPush?: () => void,
): Promise<PushedImage> {
  if (config.builder?.type === 'codebuild') {
    // The CodeBuild and S3 clients load only for remote builds.
    const { codebuildStep } = await import('./remote-build.js');
    return codebuildStep(ctx, target, config.builder, {
      config: { ...config, tag },
      repository,
      tag,
      options,
      cacheFrom,
    });
  }
  const prepared = await prepareBuild(ctx, { ...config, tag }, options);
  const images = await sameInputsImages(ctx, prepared, options);
  const tagged = await taggedAmong(ctx, images, target, repository, tag);
  if (tagged.found) return tagged.found;
  const image = await imageToPush(ctx, images, () => runBuild(ctx, { ...config, tag }, prepared, options));
  onPush?.();
  return pushStep(ctx, config, target, repository, image, tag, tagged.token);
}
