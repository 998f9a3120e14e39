// `tslambda rollback`: move an alias back to its previous version, or $LATEST back to its previous image.
import { defineCommand } from './types.js';

interface RollbackFlags {
  to?: string;
  alias?: string;
  'dry-run': boolean;
  'wait-timeout': number;
}

export const rollbackCommand = defineCommand<RollbackFlags>({
  command: 'rollback',
  describe: 'Go back to what ran before the last deploy (an alias to its previous version, or $LATEST to its previous image)',
  examples: [
    ['$0 rollback', 'point $LATEST back at the image the last deploy replaced'],
    ['$0 rollback --alias live', 'point the alias back at the version it had before the last deploy'],
    ['$0 rollback --alias live --to 3', 'point the alias at version 3'],
    ['$0 rollback --to sha256:…', 'point $LATEST at this digest of the same repository'],
    ['$0 rollback --dry-run', 'show the plan, change nothing'],
  ],
  builder: (yargs) =>
    yargs
      .option('to', { type: 'string', requiresArg: true, describe: 'Go to this version (or, for $LATEST, this sha256: digest) instead of the recorded one' })
      .option('alias', { type: 'string', requiresArg: true, describe: 'Move this alias (config "alias" by default); without one, $LATEST' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan; change nothing' })
      .option('wait-timeout', { type: 'number', default: 300, describe: 'Seconds to wait for Lambda to finish an update' })
      .group(['to', 'alias', 'dry-run', 'wait-timeout'], 'Rollback options:') as never,
  async handler(args, ctx) {
    const config = await ctx.loadConfig(args.alias !== undefined ? { alias: args.alias } : {});
    const { createAwsClients } = await import('../aws/clients.js');
    const { planRollback, executeRollback, restoreCommand } = await import('../pipeline/rollback.js');
    const { lambda } = createAwsClients({ region: config.region, profile: config.profile, signal: ctx.signal });
    const name = config.functionName;
    const plan = await ctx.out.step(`Reading ${name} and its deploy record`, () => planRollback(lambda, name, { to: args.to, alias: config.alias }));
    const what = plan.kind === 'alias' ? `alias ${plan.alias}` : '$LATEST';
    const summary = { function: name, target: plan.kind === 'alias' ? plan.alias : '$LATEST', from: plan.from, to: plan.to, source: plan.source };
    if (args['dry-run']) {
      ctx.out.result(`Plan for ${name}, nothing changed:\n  ${what}  ${plan.from} → ${plan.to} (${plan.source === 'record' ? 'recorded at the last deploy' : '--to'})`, { ok: true, dryRun: true, ...summary });
      return;
    }
    if (plan.from === plan.to) {
      ctx.out.result(`${name}: ${what} already runs ${plan.to}; nothing to do`, { ok: true, changed: false, ...summary });
      return;
    }
    await ctx.out.step(`Moving ${what} of ${name} back to ${plan.to}`, (update) =>
      executeRollback(lambda, plan, { waitTimeoutSeconds: args['wait-timeout'], signal: ctx.signal, onStatus: update }),
    );
    ctx.out.result([`Rolled back ${name}`, `  ${what}  ${plan.from} → ${plan.to}`, `  undo with  ${restoreCommand(plan)}`].join('\n'), { ok: true, changed: true, ...summary, undo: restoreCommand(plan) });
  },
});
