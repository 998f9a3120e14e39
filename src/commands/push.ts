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
    // Only what the first step needs loads before its line. git (the tag) runs and the AWS SDK loads while the step
    // shows, both started after its line is written. A tag the user gave was checked with the config, so nothing can
    // fail here after the step starts.
    const [{ connectAws }, { repositoryStep }] = await Promise.all([
      import('../pipeline/aws-target.js'),
      import('../pipeline/repository.js'),
    ]);
    const connecting = connectAws(config, ctx);
    const resolving = repositoryStep(ctx, config, connecting);
    const tagging = import('../pipeline/tag-policy.js').then(({ chooseTag }) => chooseTag(config, ctx.out));
    tagging.catch(() => {});
    const repository = await resolving;
    const [target, { tag }, { buildAndPush }] = await Promise.all([
      connecting,
      tagging,
      import('../pipeline/build-push.js'),
    ]);
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
