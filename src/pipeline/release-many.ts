// Build and push over many targets: each function's image (built once per image group), and for push, that image
// in each target's region and repository (pushed once there). Deploys go through deploy-many.ts.
import { connectAws } from './aws-target.js';
import type { BuildOptions, BuiltImage } from './build.js';
import type { PipelineContext } from './context.js';
import { groupOf, imagePlan, type ManyOptions } from './deploy-many.js';
import { groupByImage, groupTags } from './image-groups.js';
import type { PushedImage } from './push.js';
import { runTargets, type TargetResult } from './run-many.js';
import { sharedImages } from './shared-image.js';
import type { Target } from './targets.js';

const scoped = <C extends PipelineContext>(ctx: C, target: Target): C => ({
  ...ctx,
  out: ctx.out.forTarget?.(target.label) ?? ctx.out,
});

/** Every function's image; functions of one group get the same one. */
export async function buildMany(
  ctx: PipelineContext,
  targets: Target[],
  options: ManyOptions,
): Promise<Array<TargetResult<BuiltImage>>> {
  const groups = await groupByImage(
    targets.map((target) => target.config),
    { bundle: options.build.bundle },
  );
  const images = sharedImages(options.build);
  const tags = groupTags(groups, targets[0]!.config.tag ?? 'latest');
  return runTargets(targets, { concurrency: options.concurrency, signal: ctx.signal }, (target) => {
    const group = groupOf(groups, target.config);
    return images.built(scoped(ctx, target), group, tags.get(group.key)!);
  });
}

export interface PushedTarget {
  pushed: PushedImage;
  region: string;
  repositoryUri: string;
  tag: string;
}

export async function pushMany(
  ctx: PipelineContext & { env: NodeJS.ProcessEnv },
  targets: Target[],
  options: { build: BuildOptions; concurrency: number },
): Promise<Array<TargetResult<PushedTarget>>> {
  const { groups, tags, images } = await imagePlan(ctx, targets, options.build);
  return runTargets(targets, { concurrency: options.concurrency, signal: ctx.signal }, async (target) => {
    const own = scoped(ctx, target);
    const aws = await connectAws(target.config, own);
    const group = groupOf(groups, target.config);
    const tag = tags.get(group.key)!;
    const pushed = await images.pushed(own, group, target.config, aws, tag);
    own.out.result(`pushed ${pushed.digest.slice(0, 19)}`, {});
    return { pushed, region: aws.region, repositoryUri: pushed.imageUri.split('@')[0]!, tag };
  });
}
