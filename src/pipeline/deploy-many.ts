// A deploy over many targets (function × region): each target plans, gets the shared image into its region's
// repository, and updates its function with its own handler; targets run in parallel under a bound, and each
// ends on its own (run-many.ts), so one failure leaves the others deployed.
import type { ResolvedConfig } from '../config/types.js';
import type { BuildOptions } from './build.js';
import type { PipelineContext } from './context.js';
import { AFTER_UPDATE_STEPS, deployPushed, type DeployOutcome } from './deploy-execute.js';
import { planDeploy, type DeployPlan, type DeployRequest } from './deploy-plan.js';
import { groupByImage, groupTags, runTimeCommand, type ImageGroup } from './image-groups.js';
import { runTargets, type TargetResult } from './run-many.js';
import { sharedImages } from './shared-image.js';
import { chooseTag } from './tag-policy.js';
import type { Target } from './targets.js';

export interface DeployedTarget {
  plan: DeployPlan;
  /** Absent for a dry run. */
  outcome?: DeployOutcome;
}

export interface ManyOptions {
  build: BuildOptions;
  concurrency: number;
}

/** The group a target's function belongs to. */
export const groupOf = (groups: ImageGroup[], config: ResolvedConfig): ImageGroup =>
  groups.find((group) => group.members.some((member) => member.functionKey === config.functionKey))!;

/** One tag for the whole run, so that every target of an image pushes the same reference. */
export async function runTag(ctx: Pick<PipelineContext, 'out'>, targets: Target[]): Promise<string> {
  return (await chooseTag(targets[0]!.config, ctx.out)).tag;
}

/** The run's image groups, one tag per group, and the shared build and push work over them. */
export async function imagePlan(ctx: Pick<PipelineContext, 'out'>, targets: Target[], build: BuildOptions) {
  const groups = await groupByImage(
    targets.map((target) => target.config),
    { bundle: build.bundle },
  );
  return { groups, tags: groupTags(groups, await runTag(ctx, targets)), images: sharedImages(build) };
}

export async function deployMany(
  ctx: PipelineContext & { env: NodeJS.ProcessEnv },
  targets: Target[],
  request: DeployRequest,
  options: ManyOptions,
): Promise<Array<TargetResult<DeployedTarget>>> {
  const { groups, tags, images } = await imagePlan(ctx, targets, options.build);
  return runTargets(targets, { concurrency: options.concurrency, signal: ctx.signal }, async (target) => {
    const scoped = { ...ctx, out: ctx.out.forTarget?.(target.label) ?? ctx.out };
    const group = groupOf(groups, target.config);
    const tag = tags.get(group.key)!;
    const plan = await planDeploy(scoped, { ...target.config, tag }, request);
    plan.imageCommand = runTimeCommand(group, target.config);
    if (request.dryRun) return { plan };
    const pushed = await images.pushed(scoped, group, plan.config, plan.target, tag, plan.existing);
    const outcome = await deployPushed(scoped, plan, pushed, AFTER_UPDATE_STEPS);
    scoped.out.result(
      outcome.status === 'up to date' ? 'up to date' : `${outcome.status} ${pushed.digest.slice(0, 19)}`,
      {},
    );
    return { plan, outcome };
  });
}
