// `tslambda build`: the function's image, built through the Docker Engine API.
import { formatDuration } from '../core/output.js';
import type { BuiltImage } from '../docker/build.js';
import type { ResolvedConfig } from '../config/types.js';
import type { BuildFlags } from './build-flags.js';
import { defineCommand, type CommandContext } from './types.js';

export const formatSize = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;

/** Connects to the engine and builds; the one build step every command that needs an image calls. */
export async function buildStep(ctx: CommandContext, config: ResolvedConfig, args: BuildFlags): Promise<BuiltImage> {
  const docker = await ctx.docker();
  // Loaded here, not at start-up: the build machinery (tar, .dockerignore) is only for commands that build.
  const { buildImage } = await import('../docker/build.js');
  return buildImage(docker, config, ctx.out, {
    tag: config.tag ?? 'latest',
    noCache: !args.cache,
    pull: args.pull,
    typecheck: args.typecheck,
    bundle: args.bundle,
    signal: ctx.signal,
  });
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
