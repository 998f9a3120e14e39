// `tslambda rollback [names…]`: move an alias back to its previous version, or $LATEST back to its previous image;
// for several targets (function × region) each in parallel, with a summary of what moved and what failed.
import type { ResolvedConfig } from '../config/types.js';
import { concurrencyOf, loadTargets, renderTargets } from './targets.js';
import { defineCommand, type ArgsOf, type CommandContext } from './types.js';

export const rollbackCommand = defineCommand('rollback', {
  async handler(args, ctx) {
    const targets = await loadTargets(ctx, args);
    if (targets.length === 1) return renderOne(ctx, args, await rollbackFunction(ctx, args, targets[0]!.config));
    const { runTargets } = await import('../pipeline/run-many.js');
    const results = await runTargets(
      targets,
      { concurrency: await concurrencyOf(args), signal: ctx.signal },
      (target) => rollbackFunction({ ...ctx, out: ctx.out.forTarget?.(target.label) ?? ctx.out }, args, target.config),
    );
    renderTargets(ctx, 'rollback', args['dry-run'] ? 'Planned' : 'Rolled back', results, {
      line: ({ what, summary, changed }) =>
        `${what}  ${summary.from} → ${summary.to}${changed ? '' : args['dry-run'] ? ' (plan)' : ' (already there)'}`,
      json: ({ summary, changed, undo }) => ({ ...summary, changed, undo }),
    });
  },
});

type RolledBack = Awaited<ReturnType<typeof rollbackFunction>>;

async function rollbackFunction(ctx: CommandContext, args: ArgsOf<'rollback'>, config: ResolvedConfig) {
  const name = config.functionName;
  // The AWS SDK loads inside the first step, so that its line shows first.
  const { lambda, plan, rollback } = await ctx.out.step(`Reading ${name} and its deploy record`, async () => {
    const [{ createAwsClients }, rollback] = await Promise.all([
      import('../aws/clients.js'),
      import('../pipeline/rollback.js'),
    ]);
    const { lambda } = createAwsClients({
      env: ctx.env,
      region: config.region,
      profile: config.profile,
      signal: ctx.signal,
    });
    return { lambda, plan: await rollback.planRollback(lambda, name, { to: args.to, alias: config.alias }), rollback };
  });
  const what = plan.kind === 'alias' ? `alias ${plan.alias}` : '$LATEST';
  const summary = {
    function: name,
    target: plan.kind === 'alias' ? plan.alias : '$LATEST',
    from: plan.from,
    to: plan.to,
    source: plan.source,
  };
  if (args['dry-run'] || plan.from === plan.to) return { name, what, summary, changed: false };
  await ctx.out.step(`Moving ${what} of ${name} back to ${plan.to}`, (update) =>
    rollback.executeRollback(lambda, plan, {
      waitTimeoutSeconds: args['wait-timeout'],
      signal: ctx.signal,
      onStatus: update,
    }),
  );
  return { name, what, summary, changed: true, undo: rollback.restoreCommand(plan) };
}

function renderOne(ctx: CommandContext, args: ArgsOf<'rollback'>, result: RolledBack): void {
  const { name, what, summary } = result;
  if (args['dry-run']) {
    ctx.out.result(
      `Plan for ${name}, nothing changed:\n  ${what}  ${summary.from} → ${summary.to} (${summary.source === 'record' ? 'recorded at the last deploy' : '--to'})`,
      { ok: true, dryRun: true, ...summary },
    );
    return;
  }
  if (!result.changed) {
    ctx.out.result(`${name}: ${what} already runs ${summary.to}; nothing to do`, {
      ok: true,
      changed: false,
      ...summary,
    });
    return;
  }
  ctx.out.result(
    [`Rolled back ${name}`, `  ${what}  ${summary.from} → ${summary.to}`, `  undo with  ${result.undo}`].join('\n'),
    { ok: true, changed: true, ...summary, undo: result.undo },
  );
}
