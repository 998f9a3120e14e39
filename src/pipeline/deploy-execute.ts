// Carries out a DeployPlan: repository, build, push, then the function's code, then the after-update steps
// (publish a version, point the alias, the smoke test, the rollback record), each a function of its own so new steps join the list.
import {
  createFunction,
  pointAlias,
  publishVersion,
  runsImage,
  updateFunctionImage,
  type FunctionView,
} from '../aws/lambda.js';
import type { BuildOptions } from './build.js';
import type { PipelineContext } from './context.js';
import { recordStep, smokeStep } from './deploy-after.js';
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
  if (!aliasName || !version) return;
  const name = plan.config.functionName;
  outcome.alias = await ctx.out.step(`Pointing alias ${aliasName} at version ${version.version}`, () =>
    pointAlias(plan.target.clients.lambda, name, aliasName, version.version),
  );
};

/** In order: the smoke test runs against the published version and alias; the record follows a passed test. */
export const AFTER_UPDATE_STEPS: AfterUpdateStep[] = [publishStep, aliasStep, smokeStep, recordStep];

export async function executeDeploy(
  ctx: StepContext,
  plan: DeployPlan,
  build: BuildOptions,
  afterUpdate: AfterUpdateStep[] = AFTER_UPDATE_STEPS,
): Promise<DeployOutcome> {
  const { config, target } = plan;
  const repository = await repositoryStep(ctx, config, target);
  // Build and push, or skip the push for a build the function already runs, or bring --image's image over.
  const pushed = await imageStep(ctx, plan, repository, build);
  if (!plan.existing && !plan.request.create) throw functionMissing(config, target.region, pushed.imageUri, true);
  const outcome = await applyImage(ctx, plan, pushed);
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
    };
    const fn = await ctx.out.step(`Creating function ${name}`, (update) =>
      createFunction(lambda, spec, { ...waitOptions, onStatus: update }),
    );
    return { status: 'created', fn, pushed };
  }
  if (runsImage(existing, pushed)) {
    ctx.out.info(`${name} is up to date: it already runs ${pushed.digest}`);
    return { status: 'up to date', fn: existing, pushed };
  }
  const fn = await ctx.out.step(`Updating ${name} to ${pushed.digest.slice(0, 19)}`, (update) =>
    updateFunctionImage(lambda, existing, pushed.imageUri, { ...waitOptions, onStatus: update }),
  );
  return { status: 'updated', fn, pushed };
}
