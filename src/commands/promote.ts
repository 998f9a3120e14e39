// `tslambda promote --from <target> --to <target> [names…]`: deploy the digest one target runs to another, no build.
// The work is src/pipeline/promote.ts; this file parses, calls and renders.
import { ExitCode, UserError } from '../core/errors.js';
import { formatDuration } from '../core/output.js';
import { defineCommand } from './types.js';

export const promoteCommand = defineCommand('promote', {
  async handler(args, ctx) {
    const started = performance.now();
    if (!args.from || !args.to)
      throw new UserError('promote needs --from <target> and --to <target>', {
        exitCode: ExitCode.usage,
        hint: 'name two targets of the config\'s "targets", e.g. `tslambda promote --from staging --to prod`',
      });
    const { functions } = await ctx.loadProject();
    const { promote, functionsToPromote } = await import('../pipeline/promote.js');
    // One function after another: each reads its digest in --from, copies it to --to and waits for its update.
    const promotions = [];
    for (const config of functionsToPromote(functions, args.names ?? []))
      promotions.push(
        ...(await promote(ctx, config, { from: args.from, to: args.to, waitTimeoutSeconds: args['wait-timeout'] })),
      );
    const took = performance.now() - started;
    const results = promotions.map(({ function: name, from, plan, outcome }) => ({
      function: name,
      status: outcome.status,
      from: from.target,
      fromRegion: from.region,
      sourceImage: from.image,
      to: args.to,
      region: plan.target.region,
      functionArn: outcome.fn.arn,
      digest: outcome.pushed.digest,
      imageUri: outcome.pushed.imageUri,
      version: outcome.version?.version,
    }));
    ctx.out.result(
      [
        ...results.flatMap((r) => [
          `${r.status === 'up to date' ? 'Up to date' : 'Promoted'} ${r.function}: ${r.from} (${r.fromRegion}) → ${r.to} (${r.region})`,
          `  digest     ${r.digest}`,
          `  image uri  ${r.imageUri}`,
          `  function   ${r.functionArn}`,
          ...(r.version ? [`  version    ${r.version}`] : []),
        ]),
        `  took       ${formatDuration(took)}`,
      ].join('\n'),
      { ok: true, promotions: results, durationMs: Math.round(took) },
    );
  },
});
