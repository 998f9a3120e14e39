// `tslambda build`: the function's image, built through the Docker Engine API.
import { formatDuration } from '../core/output.js';
import type { BuiltImage } from '../pipeline/build.js';
import type { ResolvedConfig } from '../config/types.js';
import { buildOptionsOf, type BuildFlags } from './build-flags.js';
import { defineCommand, type CommandContext } from './types.js';

export const formatSize = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;

/** Builds from a building command's flags (kept for commands that import it; the step itself is src/pipeline/build.ts). */
export async function buildStep(ctx: CommandContext, config: ResolvedConfig, args: BuildFlags): Promise<BuiltImage> {
  // Loaded here, not at start-up: the build machinery (esbuild, tar, .dockerignore) is only for commands that build.
  const pipeline = await import('../pipeline/build.js');
  return pipeline.buildStep(ctx, config, buildOptionsOf(args));
}

export const buildCommand = defineCommand('build', {
  async handler(args, ctx) {
    const config = await ctx.loadConfig();
    const image = await buildStep(ctx, config, args);
    ctx.out.result(
      [
        `Built ${image.name}`,
        `  image id      ${image.id}`,
        `  size          ${formatSize(image.size)}`,
        `  architecture  ${image.os}/${image.architecture}`,
        `  dockerfile    ${image.dockerfile}`,
        `  took          ${formatDuration(image.durationMs)}`,
      ].join('\n'),
      { ok: true, image: image.name, imageId: image.id, size: image.size, architecture: image.architecture, platform: image.platform, dockerfile: image.dockerfile, durationMs: image.durationMs },
    );
  },
});
