// `tslambda rollback`: move an alias back to its previous version, or $LATEST back to its previous image.
import { defineCommand } from './types.js';

export const rollbackCommand = defineCommand('rollback', {
  async handler(args, ctx) {
    const config = await ctx.loadConfig();
    const { createAwsClients } = await import('../aws/clients.js');
    const { planRollback, executeRollback, restoreCommand } = await import('../pipeline/rollback.js');
    const { lambda } = createAwsClients({
      env: ctx.env,
      region: config.region,
      profile: config.profile,
      signal: ctx.signal,
    });
    const name = config.functionName;
    const plan = await ctx.out.step(`Reading ${name} and its deploy record`, () =>
      planRollback(lambda, name, { to: args.to, alias: config.alias }),
    );
    const what = plan.kind === 'alias' ? `alias ${plan.alias}` : '$LATEST';
    const summary = {
      function: name,
      target: plan.kind === 'alias' ? plan.alias : '$LATEST',
      from: plan.from,
      to: plan.to,
      source: plan.source,
    };
    if (args['dry-run']) {
      ctx.out.result(
        `Plan for ${name}, nothing changed:\n  ${what}  ${plan.from} → ${plan.to} (${plan.source === 'record' ? 'recorded at the last deploy' : '--to'})`,
        { ok: true, dryRun: true, ...summary },
      );
      return;
    }
    if (plan.from === plan.to) {
      ctx.out.result(`${name}: ${what} already runs ${plan.to}; nothing to do`, {
        ok: true,
        changed: false,
        ...summary,
      });
      return;
    }
    await ctx.out.step(`Moving ${what} of ${name} back to ${plan.to}`, (update) =>
      executeRollback(lambda, plan, { waitTimeoutSeconds: args['wait-timeout'], signal: ctx.signal, onStatus: update }),
    );
    ctx.out.result(
      [`Rolled back ${name}`, `  ${what}  ${plan.from} → ${plan.to}`, `  undo with  ${restoreCommand(plan)}`].join(
        '\n',
      ),
      { ok: true, changed: true, ...summary, undo: restoreCommand(plan) },
    );
  },
});
