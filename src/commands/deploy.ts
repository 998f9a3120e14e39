// `tslambda deploy`: build, push, and point an existing function at the pushed digest (or create it with --create).
// The plan and its execution are src/pipeline/deploy-*.ts; this file parses, calls and renders.
import { formatDuration } from '../core/output.js';
import type { DeployOutcome } from '../pipeline/deploy-execute.js';
import type { ResolvedConfig } from '../config/types.js';
import type { DeployPlan } from '../pipeline/deploy-plan.js';
import { buildOptionsOf } from './build-flags.js';
import { defineCommand, type CommandContext } from './types.js';

export const deployCommand = defineCommand('deploy', {
  async handler(args, ctx) {
    const started = performance.now();
    const config = await ctx.loadConfig();
    // The AWS SDK and the push machinery load only for commands that talk to AWS.
    const [{ planDeploy }, { executeDeploy }] = await Promise.all([
      import('../pipeline/deploy-plan.js'),
      import('../pipeline/deploy-execute.js'),
    ]);
    // The smoke event is read (and checked as JSON) before anything is built.
    const smokeEvent =
      args.smoke !== undefined
        ? await (await import('../pipeline/smoke.js')).readSmokeEvent(args.smoke, ctx.cwd)
        : undefined;
    const request = {
      create: args.create,
      role: args.role,
      pushAnyway: args['push-anyway'],
      dryRun: args['dry-run'],
      waitTimeoutSeconds: args['wait-timeout'],
      smokeEvent,
      tail: args.tail,
      image: args.image === undefined ? undefined : await existingImage(ctx, config, args.image, args.from),
    };
    const plan = await planDeploy(ctx, config, request);
    if (request.dryRun) return renderPlan(ctx, plan);
    const outcome = await executeDeploy(ctx, plan, buildOptionsOf(args));
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
      digest: pushed.digest,
      imageUri: pushed.imageUri,
      durationMs: Math.round(took),
    },
  );
}
