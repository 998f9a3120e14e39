// Carries out a DeployPlan: repository, build, push, then the function's code, then the after-update steps
// (publish a version, point the alias, the smoke test, the rollback record), each a function of its own so new steps join the list.
import {
  createFunction,
  pointAlias,
  publishVersion,
  runsImage,
  updateFunctionImage,
  updateImageCommand,
  type FunctionView,
} from '../aws/lambda.js';
import type { BuildOptions } from './build.js';
import { canaryStep, type CanaryOutcome } from './canary.js';
import type { PipelineContext } from './context.js';
import { recordStep, smokeStep } from './deploy-after.js';
import { interruptedDeploy, type DeployProgress } from './deploy-interrupted.js';
import { functionMissing, type DeployPlan } from './deploy-plan.js';
import { imageStep, type StepContext } from './image-step.js';
import type { PushedImage } from './push.js';
import { repositoryStep } from './repository.js';

export interface DeployOutcome {
  status: 'created' | 'updated' | 'up to date';
  /** The function after the update. */
  fn: FunctionView;
  pushed: PushedImage;
  version?: { version: string; arn: string };
  alias?: { arn: string; created: boolean; previousVersion?: string };
  /** --canary: what the bake saw, and whether it promoted the version. */
  canary?: CanaryOutcome;
}

/** A step that runs once the function runs the pushed image; it may add to the outcome. */
export type AfterUpdateStep = (ctx: PipelineContext, plan: DeployPlan, outcome: DeployOutcome) => Promise<void>;

/** Publishing unchanged code returns the existing version, so a rerun also repairs a half-done alias. */
const publishStep: AfterUpdateStep = async (ctx, plan, outcome) => {
  if (!plan.publish) return;
  const { lambda } = plan.target.clients;
  const name = plan.config.functionName;
  // Guarded by the CodeSha256 the function reported for this image (emulators do not use the digest).
  const codeSha256 = outcome.fn.codeSha256 ?? outcome.pushed.digest.replace(/^sha256:/, '');
  outcome.version = await ctx.out.step(`Publishing a version of ${name}`, () =>
    publishVersion(lambda, name, codeSha256),
  );
};

const aliasStep: AfterUpdateStep = async (ctx, plan, outcome) => {
  const aliasName = plan.config.alias;
  const version = outcome.version;
  // A canary moves the alias itself, after the smoke test passed.
  if (!aliasName || !version || plan.request.canary) return;
  const name = plan.config.functionName;
  outcome.alias = await ctx.out.step(`Pointing alias ${aliasName} at version ${version.version}`, () =>
    pointAlias(plan.target.clients.lambda, name, aliasName, version.version),
  );
};

/**
 * In order: the smoke test runs against the published version and alias (with --canary, the version alone, before
 * any traffic reaches it); the canary shifts, bakes and promotes; the record follows a passed test and bake.
 */
export const AFTER_UPDATE_STEPS: AfterUpdateStep[] = [publishStep, aliasStep, smokeStep, canaryStep, recordStep];

/** Runs the deploy; Ctrl-C at any stage ends in one line naming the state it left (deploy-interrupted.ts). */
export async function executeDeploy(
  ctx: StepContext,
  plan: DeployPlan,
  build: BuildOptions,
  afterUpdate: AfterUpdateStep[] = AFTER_UPDATE_STEPS,
): Promise<DeployOutcome> {
  const progress: DeployProgress = { stage: 'build' };
  try {
    return await runStages(ctx, plan, build, afterUpdate, progress);
  } catch (error) {
    if (!ctx.signal.aborted) throw error;
    throw await interruptedDeploy(error, plan, progress);
  }
}

async function runStages(
  ctx: StepContext,
  plan: DeployPlan,
  build: BuildOptions,
  afterUpdate: AfterUpdateStep[],
  progress: DeployProgress,
): Promise<DeployOutcome> {
  const { config, target } = plan;
  const repository = await repositoryStep(ctx, config, target);
  // Build and push, or skip the push for a build the function already runs, or bring --image's image over.
  const pushed = await imageStep(ctx, plan, repository, build, () => {
    progress.stage = 'push';
  });
  return deployPushed(ctx, plan, pushed, afterUpdate, progress);
}

/** Everything after the image is in the target's registry: the function's code (and command), then the after-update steps. */
export async function deployPushed(
  ctx: PipelineContext,
  plan: DeployPlan,
  pushed: PushedImage,
  afterUpdate: AfterUpdateStep[] = AFTER_UPDATE_STEPS,
  progress: DeployProgress = { stage: 'update' },
): Promise<DeployOutcome> {
  if (!plan.existing && !plan.request.create)
    throw functionMissing(plan.config, plan.target.region, pushed.imageUri, true);
  Object.assign(progress, { stage: 'update', pushed });
  const outcome = await applyImage(ctx, plan, pushed);
  Object.assign(progress, { stage: 'after-update', outcome });
  for (const step of afterUpdate) await step(ctx, plan, outcome);
  return outcome;
}

/** Creates the function, or points it at the pushed digest unless it already runs it. */
async function applyImage(ctx: PipelineContext, plan: DeployPlan, pushed: PushedImage): Promise<DeployOutcome> {
  const { config, existing, request } = plan;
  const { lambda } = plan.target.clients;
  const name = config.functionName;
  const waitOptions = { waitTimeoutSeconds: request.waitTimeoutSeconds, signal: ctx.signal };
  if (!existing) {
    const spec = {
      name,
      role: request.role!,
      imageUri: pushed.imageUri,
      architecture: config.architecture,
      memorySize: config.memorySize,
      timeout: config.timeout,
      environment: config.environment,
      imageCommand: plan.imageCommand,
    };
    const fn = await ctx.out.step(`Creating function ${name}`, (update) =>
      createFunction(lambda, spec, { ...waitOptions, onStatus: update }),
    );
    return { status: 'created', fn, pushed };
  }
  // The command first: the image it replaces holds the handler too, where new code with an old command might not.
  const command = plan.imageCommand;
  const current =
    command && command.join('\0') !== (existing.imageCommand ?? []).join('\0')
      ? await ctx.out.step(`Setting ${name}'s handler to ${command.join(' ')}`, (update) =>
          updateImageCommand(lambda, name, command, { ...waitOptions, onStatus: update }),
        )
      : existing;
  if (runsImage(current, pushed)) {
    ctx.out.info(`${name} is up to date: it already runs ${pushed.digest}`);
    return { status: current === existing ? 'up to date' : 'updated', fn: current, pushed };
  }
  const fn = await ctx.out.step(`Updating ${name} to ${pushed.digest.slice(0, 19)}`, (update) =>
    updateFunctionImage(lambda, current, pushed.imageUri, { ...waitOptions, onStatus: update }),
  );
  return { status: 'updated', fn, pushed };
}
