// `tslambda push`: build the image and push it to the function's ECR repository, printing its digest.
import { formatDuration } from '../cli/output.js';
import { buildOverrides, withBuildFlags, type BuildFlags } from './build-flags.js';
import { defineCommand } from './types.js';

export const pushCommand = defineCommand<BuildFlags>({
  command: 'push',
  describe: 'Build the image and push it to ECR (repository created when missing); prints the digest',
  examples: [
    ['$0 push', 'build and push, tagged with the git short SHA (or a UTC timestamp outside git)'],
    ['$0 push --tag v1.4.0 --region eu-west-1', 'push with an explicit tag to another region'],
    ['$0 push --json', 'print { digest, imageUri, … } for scripts'],
  ],
  builder: (yargs) => withBuildFlags(yargs),
  async handler(args, ctx) {
    const started = performance.now();
    const config = await ctx.loadConfig(buildOverrides(args, ctx.env));
    // The AWS SDK loads only for commands that talk to AWS.
    const { chooseTag, connectAws, pushStep, releaseBuild, repositoryStep } = await import('./release.js');
    const target = await connectAws(config, ctx.signal);
    const { tag } = await chooseTag(config, ctx);
    const repository = await repositoryStep(ctx, config, target);
    const image = await releaseBuild(ctx, config, args, tag);
    const pushed = await pushStep(ctx, config, target, repository, image, tag);
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
