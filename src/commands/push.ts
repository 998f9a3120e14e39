// `tslambda push`: build the image and push it to the function's ECR repository, printing its digest.
import { formatDuration } from '../core/output.js';
import { resolveBuilder } from '../config/builder.js';
import { remoteBuildOptionsOf } from './build-flags.js';
import { concurrencyOf, loadTargets, renderTargets, withBuilder } from './targets.js';
import { defineCommand } from './types.js';

export const pushCommand = defineCommand('push', {
  async handler(args, ctx) {
    const started = performance.now();
    const targets = await loadTargets(ctx, args);
    if (targets.length > 1) {
      const { pushMany } = await import('../pipeline/release-many.js');
      const results = await pushMany(ctx, withBuilder(targets, args.builder), {
        build: remoteBuildOptionsOf(args),
        concurrency: await concurrencyOf(args),
      });
      return renderTargets(ctx, 'push', 'Pushed', results, {
        line: ({ pushed, tag }) => `${pushed.imageUri}  (tag ${tag})`,
        json: ({ pushed, region, tag }) => ({ region, tag, digest: pushed.digest, imageUri: pushed.imageUri }),
      });
    }
    const loaded = targets[0]!.config;
    const config = { ...loaded, builder: resolveBuilder(loaded.builder, args.builder) };
    const { chooseTag, connectAws, buildAndPush, repositoryStep } = await import('../pipeline/release.js');
    // git (the tag) runs and the AWS SDK loads while the first step shows (started in the same tick, so its line
    // comes first). A tag the user gave was checked with the config, so nothing fails here after the step starts.
    const tagging = chooseTag(config, ctx.out);
    tagging.catch(() => {});
    const connecting = connectAws(config, ctx);
    const repository = await repositoryStep(ctx, config, connecting);
    const [target, { tag }] = await Promise.all([connecting, tagging]);
    const pushed = await buildAndPush(ctx, config, target, repository, tag, remoteBuildOptionsOf(args));
    const took = performance.now() - started;
    ctx.out.result(
      [
        `Pushed ${pushed.taggedReference}`,
        `  digest     ${pushed.digest}`,
        `  image uri  ${pushed.imageUri}`,
        `  layers     ${pushed.layers.pushed} pushed, ${pushed.layers.existed} already in the registry`,
        `  took       ${formatDuration(took)}`,
      ].join('\n'),
      {
        ok: true,
        repository: repository.uri,
        region: target.region,
        tag,
        digest: pushed.digest,
        imageUri: pushed.imageUri,
        mediaType: pushed.mediaType,
        architecture: config.architecture,
        durationMs: Math.round(took),
      },
    );
  },
});
