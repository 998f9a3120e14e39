// `tslambda build`: the function's image, built through the Docker Engine API.
import { formatDuration } from '../core/output.js';
import type { BuiltImage } from '../pipeline/build.js';
import { buildFromFlags } from './build-flags.js';
import { defineCommand, type CommandContext } from './types.js';

export const formatSize = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;

export const buildCommand = defineCommand('build', {
  async handler(args, ctx) {
    const config = await ctx.loadConfig();
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
