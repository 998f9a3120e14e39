// `tslambda build`: the function's image, built through the Docker Engine API.
import { formatDuration } from '../core/output.js';
import { buildFromFlags, buildOptionsOf } from './build-flags.js';
import { concurrencyOf, loadTargets, renderTargets } from './targets.js';
import { defineCommand } from './types.js';
import type { NodeStageReport } from '../pipeline/node-stage.js';

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
    const nodeStage = config.program
      ? await import('../pipeline/node-stage.js').then(async (m) =>
          m.nodeStageReport(await ctx.docker(), image.id, config),
        )
      : undefined;
    ctx.out.result(
      [
        `Built ${image.name}`,
        `  image id      ${image.id}`,
        `  size          ${formatSize(image.size)}`,
        ...(nodeStage ? [`  node stage    ${describeNodeStage(nodeStage)}`] : []),
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
        nodeStage: nodeStage ?? null,
      },
    );
  },
});

/** A program's image carries a Node of its own for the runtime loop unless program.node names the base's. */
function describeNodeStage(stage: NodeStageReport): string {
  const node = stage.nodeVersion ? `Node ${stage.nodeVersion}` : 'Node';
  return `added ${node} for the runtime loop: ${formatSize(stage.bytes)} (copied from ${stage.nodeImage})`;
}
