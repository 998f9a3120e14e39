// `tslambda build`: the function's image, built through the Docker Engine API.
import { formatDuration } from '../core/output.js';
import { buildFromFlags, buildOptionsOf } from './build-flags.js';
import { concurrencyOf, loadTargets, renderTargets } from './targets.js';
import { defineCommand } from './types.js';

export const formatSize = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;

export const buildCommand = defineCommand('build', {
  async handler(args, ctx) {
    // A build does not depend on the region: one target per function.
    const targets = (await loadTargets(ctx, args)).filter(
      (target, index, all) => all.findIndex((other) => other.functionKey === target.functionKey) === index,
    );
    if (targets.length > 1) {
      const { buildMany } = await import('../pipeline/release-many.js');
      const results = await buildMany(ctx, targets, {
        build: buildOptionsOf(args),
        concurrency: await concurrencyOf(args),
      });
      return renderTargets(ctx, 'build', 'Built', results, {
        line: (image) => `${image.name}  ${image.id.slice(0, 19)}  ${formatSize(image.size)}`,
        json: (image) => ({ image: image.name, imageId: image.id, size: image.size, architecture: image.architecture }),
      });
    }
    const config = targets[0]!.config;
    const image = await buildFromFlags(ctx, config, args);
    ctx.out.result(
      [
        `Built ${image.name}`,
        `  image id      ${image.id}`,
        `  size          ${formatSize(image.size)}`,
        `  architecture  ${image.os}/${image.architecture}`,
        `  dockerfile    ${image.dockerfile}`,
        `  took          ${formatDuration(image.durationMs)}`,
      ].join('\n'),
      {
        ok: true,
        image: image.name,
        imageId: image.id,
        size: image.size,
        architecture: image.architecture,
        platform: image.platform,
        dockerfile: image.dockerfile,
        durationMs: image.durationMs,
      },
    );
  },
});
