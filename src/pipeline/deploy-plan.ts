// Plans a deploy before anything is built: the AWS target, the tag, the function as it is now, and the
// actions a run would take. `--dry-run` renders this plan; executeDeploy (deploy-execute.ts) carries it out.
import { ExitCode, UserError } from '../core/errors.js';
import type { Output } from '../core/output.js';
import type { FunctionView } from '../aws/lambda.js';
import type { ResolvedConfig } from '../config/types.js';
import { connectAws, targetRegion, type AwsTarget } from './aws-target.js';
import type { CanaryRequest } from './canary.js';
import type { ExistingImage } from './image-step.js';
import { chooseTag } from './tag-policy.js';

/** What the caller asks of a deploy, beyond the config. */
export interface DeployRequest {
  /** --create: create the function when it does not exist. */
  create: boolean;
  /** --role: the execution role of a function --create makes. */
  role?: string;
  /** --push-anyway: push even when the function is missing (then stop). */
  pushAnyway: boolean;
  /** --dry-run: plan only; the plan also names the repository's URI. */
  dryRun: boolean;
  waitTimeoutSeconds: number;
  /** --smoke: the event (JSON text) to invoke the new code with once it runs. */
  smokeEvent?: string;
  /** --tail: the caller follows the logs after the deploy (named in the plan). */
  tail?: boolean;
  /** --canary (with --bake, --max-error-rate): shift part of the alias's traffic first, promote after the bake. */
  canary?: CanaryRequest;
  /** --image / promote: deploy this existing image instead of building one. */
  image?: ExistingImage;
}

export interface DeployPlan {
  config: ResolvedConfig;
  request: DeployRequest;
  target: AwsTarget;
  tag: string;
  /** The function as it is now; undefined when it does not exist. */
  existing?: FunctionView;
  /** A version is published (--publish, or an alias to point). */
  publish: boolean;
  /** Only for a dry run: the repository's URI, or its name with what would happen to it. */
  repository?: string;
  /** Only for a dry run: the reference the image would get. */
  image?: string;
  /** What a run would do, in order, as the user reads it. */
  actions: string[];
  /** ImageConfig.Command: the handler this function runs on an image several functions share (image-groups.ts). */
  imageCommand?: string[];
}

/** Checks the function and the tag; throws, before anything is built, when the deploy cannot succeed. */
export async function planDeploy(
  ctx: { out: Output; env: NodeJS.ProcessEnv; signal: AbortSignal },
  config: ResolvedConfig,
  request: DeployRequest,
): Promise<DeployPlan> {
  const name = config.functionName;
  // The region is known without the SDK, which loads inside the first step: its line shows first.
  const region = await targetRegion(config, ctx);
  const [{ target, existing }, { tag }] = await Promise.all([
    ctx.out.step(`Checking function ${name} in ${region}`, async () => {
      const [target, { getFunction }] = await Promise.all([connectAws(config, ctx), import('../aws/lambda.js')]);
      return { target, existing: await getFunction(target.clients.lambda, name) };
    }),
    chooseTag(config, ctx.out),
  ]);
  // An existing image is checked against the function's architecture when it is copied, not the config's.
  if (existing) checkCompatible(existing, request.image ? { ...config, architecture: existing.architecture } : config);
  const publish = config.publish || config.alias !== undefined;
  const plan: DeployPlan = {
    config,
    request,
    target,
    tag,
    existing,
    publish,
    actions: plannedActions(config, request, existing !== undefined, publish),
  };
  const { findRepository } = await import('../aws/ecr.js');
  if (request.dryRun) {
    const repository = await findRepository(target.clients.ecr, config.repository);
    plan.repository = repository
      ? repository.uri
      : `${config.repository} (${config.createRepository ? 'would be created' : 'missing'})`;
    plan.image = request.image?.reference ?? `${repository?.uri ?? config.repository}:${tag}`;
  } else if (!existing && !request.create && !request.pushAnyway) {
    const repository = await findRepository(target.clients.ecr, config.repository);
    const imageUri = `${repository?.uri ?? `<account>.dkr.ecr.${target.region}.amazonaws.com/${config.repository}`}:${tag}`;
    throw functionMissing(config, target.region, imageUri, false);
  }
  return plan;
}

function plannedActions(config: ResolvedConfig, request: DeployRequest, exists: boolean, publish: boolean): string[] {
  return [
    ...(request.image
      ? [`bring ${request.image.reference} into the repository unless it is there (no build)`]
      : ['build', 'push']),
    exists
      ? 'update the function code unless it already runs the pushed digest'
      : request.create
        ? 'create the function'
        : 'stop: the function does not exist',
    ...(publish ? ['publish a version'] : []),
    ...(config.alias && !request.canary ? [`point alias ${config.alias} at it`] : []),
    ...(request.smokeEvent !== undefined ? ['invoke it once with the smoke event; roll back if it fails'] : []),
    ...(request.canary
      ? [
          `route ${Math.round(request.canary.weight * 1000) / 10}% of alias ${config.alias} to it, watch its errors for ${request.canary.bakeMs / 1000}s; promote it to 100%, or roll back above ${Math.round(request.canary.maxErrorRate * 1000) / 10}% errors`,
        ]
      : []),
    ...(request.tail ? ['follow its logs until Ctrl-C'] : []),
  ];
}

/** Refuses functions this image cannot replace, before anything is built. */
function checkCompatible(fn: FunctionView, config: ResolvedConfig): void {
  if (fn.packageType === 'Zip') {
    throw new UserError(`function ${fn.name} is packaged as a Zip archive; tslambda deploys container images`, {
      exitCode: ExitCode.functionIncompatible,
      hint: 'a function cannot change its package type: set "functionName" to a new function and deploy with --create --role <arn>',
      details: { function: fn.name, packageType: fn.packageType },
    });
  }
  if (fn.architecture !== config.architecture) {
    throw new UserError(
      `function ${fn.name} runs on ${fn.architecture}, but the image is built for ${config.architecture}`,
      {
        exitCode: ExitCode.functionIncompatible,
        hint: `set "architecture": "${fn.architecture}" in the config (or pass --architecture ${fn.architecture})`,
        details: { function: fn.name, functionArchitecture: fn.architecture, imageArchitecture: config.architecture },
      },
    );
  }
}

const shellQuote = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

/** The exact AWS CLI command that creates the function tslambda would deploy to. */
export function createFunctionCommand(config: ResolvedConfig, region: string, imageUri: string): string {
  const args = [
    'aws lambda create-function',
    `--function-name ${shellQuote(config.functionName)}`,
    '--package-type Image',
    `--code ImageUri=${shellQuote(imageUri)}`,
    '--role <execution-role-arn>',
    `--architectures ${config.architecture}`,
    `--memory-size ${config.memorySize}`,
    `--timeout ${config.timeout}`,
    `--region ${region}`,
  ];
  return args.join(' ');
}

export function functionMissing(config: ResolvedConfig, region: string, imageUri: string, pushed: boolean): UserError {
  const command = createFunctionCommand(config, region, imageUri);
  return new UserError(
    `function ${config.functionName} does not exist in ${region}; tslambda updates existing functions only${pushed ? ` (the image was pushed: ${imageUri})` : ''}`,
    {
      exitCode: ExitCode.functionNotFound,
      hint: `create it with\n  ${command}\nor run \`tslambda deploy --create --role <execution-role-arn>\``,
      details: { function: config.functionName, region, imageUri, pushed, createCommand: command },
    },
  );
}
