// The image work targets share in a run over many: one build per image group, one repository look-up per
// repository × region, one push per image × repository × region. The first target to need a piece starts it
// (its row shows the steps); the others wait for the same promise under a step of their own.
import type { ResolvedConfig } from '../config/types.js';
import type { AwsTarget } from './aws-target.js';
import { buildStep, type BuildOptions, type BuiltImage } from './build.js';
import type { PipelineContext } from './context.js';
import type { ImageGroup } from './image-groups.js';
import { pushStep, type PushedImage } from './push.js';
import { repositoryStep, type Repository } from './repository.js';
import { onceEach } from './run-many.js';

export interface SharedImages {
  /** The group's image, built once for the run (tagged `tag`). */
  built(ctx: PipelineContext, group: ImageGroup, tag: string): Promise<BuiltImage>;
  /** The group's image in the target's repository and region: pushed once there. */
  pushed(
    ctx: PipelineContext,
    group: ImageGroup,
    config: ResolvedConfig,
    aws: AwsTarget,
    tag: string,
  ): Promise<PushedImage>;
}

export function sharedImages(build: BuildOptions): SharedImages {
  const builds = joinOnce<BuiltImage>();
  const repositories = joinOnce<Repository>();
  const pushes = joinOnce<PushedImage>();
  const built: SharedImages['built'] = (ctx, group, tag) =>
    builds(ctx, group.key, `Waiting for the image built for ${group.members[0]!.functionKey}`, () =>
      buildStep(ctx, { ...group.members[0]!, tag }, build),
    );
  return {
    built,
    async pushed(ctx, group, config, aws, tag) {
      const repository = await repositories(
        ctx,
        `${aws.region}|${config.repository}`,
        `Waiting for ECR repository ${config.repository}`,
        () => repositoryStep(ctx, config, aws),
      );
      const image = await built(ctx, group, tag);
      return pushes(
        ctx,
        `${group.key}|${aws.region}|${config.repository}`,
        `Waiting for the push to ${repository.uri}`,
        () => pushStep(ctx, config, aws, repository, image, tag),
      );
    },
  };
}

/** Starts the work for a key once; a later caller shows a waiting step for it instead of doing it again. */
function joinOnce<T>() {
  const once = onceEach<T>();
  const owners = new Set<string>();
  return (ctx: PipelineContext, key: string, waitingTitle: string, start: () => Promise<T>): Promise<T> => {
    if (!owners.has(key)) {
      owners.add(key);
      return once(key, start);
    }
    return ctx.out.step(waitingTitle, () => once(key, start));
  };
}
