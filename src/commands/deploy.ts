// `tslambda deploy`: build, push, and point an existing function at the pushed digest (or create it with --create).
// The plan and its execution are src/pipeline/deploy-*.ts; this file parses, calls and renders.
import { formatDuration } from '../core/output.js';
import type { DeployOutcome } from '../pipeline/deploy-execute.js';
import type { ResolvedConfig } from '../config/types.js';
import type { DeployPlan } from '../pipeline/deploy-plan.js';
import { resolveBuilder } from '../config/builder.js';
import { remoteBuildOptionsOf } from './build-flags.js';
import { concurrencyOf, loadTargets, renderTargets, withBuilder } from './targets.js';
import { defineCommand, type ArgsOf, type CommandContext } from './types.js';
import type { DeployRequest } from '../pipeline/deploy-plan.js';
import type { Target } from '../pipeline/targets.js';

export const deployCommand = defineCommand('deploy', {
  async handler(args, ctx) {
    const started = performance.now();
    const targets = await loadTargets(ctx, args);
    if (targets.length > 1) return deployTargets(args, ctx, withBuilder(targets, args.builder));
    const loaded = targets[0]!.config;
    const config = { ...loaded, builder: resolveBuilder(loaded.builder, args.builder) };
    // The AWS SDK and the push machinery load only for commands that talk to AWS, and after the plan's first line.
    const { planDeploy } = await import('../pipeline/deploy-plan.js');
    const canary =
      args.canary === undefined
        ? undefined
        : (await import('../pipeline/canary.js')).canaryRequest(
            { canary: args.canary, bake: args.bake, maxErrorRate: args['max-error-rate'] },
            config.alias,
          );
    const request = {
      ...(await commonRequest(args, ctx)),
      canary,
      tail: args.tail,
      image: args.image === undefined ? undefined : await existingImage(ctx, config, args.image, args.from),
    };
    const plan = await planDeploy(ctx, config, request);
    if (request.dryRun) return renderPlan(ctx, plan);
    const { executeDeploy } = await import('../pipeline/deploy-execute.js');
    const outcome = await executeDeploy(ctx, plan, remoteBuildOptionsOf(args));
    renderOutcome(ctx, plan, outcome, performance.now() - started);
    // After the result: following runs until Ctrl-C, so the result (and its JSON) must come first.
    if (args.tail) {
      const { printLogs } = await import('./logs.js');
      await printLogs(
        ctx,
        { functionName: config.functionName, region: plan.target.region, profile: config.profile },
        { follow: true, qualifier: outcome.version?.version },
      );
    }
  },
});

/** Many targets: in parallel under --concurrency, one row each, a summary; --tail follows one function only. */
async function deployTargets(args: ArgsOf<'deploy'>, ctx: CommandContext, targets: Target[]): Promise<void> {
  if (args.tail) {
    const { UserError } = await import('../core/errors.js');
    throw new UserError(`--tail follows one function's logs; this run has ${targets.length} targets`, {
      hint: 'drop --tail, then run `tslambda logs NAME --follow --region REGION` for the one to follow',
    });
  }
  if (args.image !== undefined) {
    const { UserError } = await import('../core/errors.js');
    throw new UserError(`--image deploys one function; this run has ${targets.length} targets`, {
      hint: 'name one function and one region, e.g. `tslambda deploy NAME --region REGION --image …`',
    });
  }
  if (args.canary !== undefined) {
    const { UserError } = await import('../core/errors.js');
    throw new UserError(`--canary bakes one function at a time; this run has ${targets.length} targets`, {
      hint: 'name one function and one region, e.g. `tslambda deploy NAME --region REGION --canary 10%`',
    });
  }
  const { deployMany } = await import('../pipeline/deploy-many.js');
  const request = await commonRequest(args, ctx);
  const results = await deployMany(ctx, targets, request, {
    build: remoteBuildOptionsOf(args),
    concurrency: await concurrencyOf(args),
  });
  renderTargets(ctx, 'deploy', request.dryRun ? 'Planned' : 'Deployed', results, {
    line: ({ plan, outcome }) =>
      outcome
        ? `${outcome.status}  ${outcome.fn.arn}  ${outcome.pushed.digest.slice(0, 19)}${outcome.version ? `  version ${outcome.version.version}` : ''}`
        : plan.actions.join(', '),
    json: ({ plan, outcome }) => ({
      functionName: plan.config.functionName,
      region: plan.target.region,
      ...(outcome
        ? {
            outcome: outcome.status,
            functionArn: outcome.fn.arn,
            version: outcome.version?.version,
            aliasArn: outcome.alias?.arn,
            digest: outcome.pushed.digest,
            imageUri: outcome.pushed.imageUri,
            handler: plan.imageCommand?.[0],
          }
        : { dryRun: true, actions: plan.actions }),
    }),
  });
}

/** What every deploy asks, one target or many; the smoke event is read (and checked as JSON) before any build. */
async function commonRequest(args: ArgsOf<'deploy'>, ctx: CommandContext): Promise<DeployRequest> {
  const smokeEvent =
    args.smoke !== undefined
      ? await (await import('../pipeline/smoke.js')).readSmokeEvent(args.smoke, ctx.cwd)
      : undefined;
  return {
    create: args.create,
    role: args.role,
    pushAnyway: args['push-anyway'],
    dryRun: args['dry-run'],
    waitTimeoutSeconds: args['wait-timeout'],
    smokeEvent,
  };
}

/** --image, with --from's named target connected (its ECR is where the image is read). */
async function existingImage(ctx: CommandContext, config: ResolvedConfig, reference: string, from?: string) {
  if (from === undefined) return { reference };
  const { connectNamedTarget } = await import('../pipeline/promote.js');
  return { reference, from: await connectNamedTarget(ctx, config, from, '--from') };
}

function renderPlan(ctx: CommandContext, plan: DeployPlan): void {
  const { existing, target } = plan;
  const name = plan.config.functionName;
  const fn = existing
    ? {
        name,
        arn: existing.arn,
        architecture: existing.architecture,
        imageUri: existing.resolvedImageUri ?? existing.imageUri,
      }
    : { name, exists: false };
  const view = { function: fn, repository: plan.repository, image: plan.image, actions: plan.actions };
  ctx.out.result(
    [
      `Plan for ${name} (${target.region}), nothing changed:`,
      `  image       ${plan.image}`,
      `  repository  ${plan.repository}`,
      `  function    ${existing ? `${existing.arn} (${existing.architecture}, runs ${fn.imageUri ?? 'unknown'})` : 'does not exist'}`,
      ...plan.actions.map((a, i) => `  ${i + 1}. ${a}`),
    ].join('\n'),
    { ok: true, dryRun: true, region: target.region, ...view },
  );
}

function renderOutcome(ctx: CommandContext, plan: DeployPlan, outcome: DeployOutcome, took: number): void {
  const { status, fn, version, alias, pushed } = outcome;
  const name = plan.config.functionName;
  ctx.out.result(
    [
      `${status === 'up to date' ? 'Up to date' : status === 'created' ? 'Created' : 'Deployed'} ${name}`,
      `  function   ${fn.arn}`,
      `  region     ${plan.target.region}`,
      ...(version ? [`  version    ${version.version} (${version.arn})`] : []),
      ...(alias ? [`  alias      ${alias.arn}${alias.created ? ' (created)' : ''}`] : []),
      ...(outcome.canary?.result === 'promoted'
        ? [`  canary     ${outcome.canary.errors} errors / ${outcome.canary.invocations} invocations, promoted`]
        : []),
      `  digest     ${pushed.digest}`,
      `  image uri  ${pushed.imageUri}`,
      `  took       ${formatDuration(took)}`,
    ].join('\n'),
    {
      ok: true,
      status,
      function: name,
      functionArn: fn.arn,
      region: plan.target.region,
      version: version?.version,
      versionArn: version?.arn,
      aliasArn: alias?.arn,
      canary: outcome.canary,
      digest: pushed.digest,
      imageUri: pushed.imageUri,
      durationMs: Math.round(took),
    },
  );
}
