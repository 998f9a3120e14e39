// `tslambda bundle`: writes the handler's bundle into a folder — what `build` puts in the image, for a Dockerfile's build stage or a zip.
import { resolve } from 'node:path';
import { formatDuration } from '../core/output.js';
import { defineCommand } from './types.js';

export const bundleCommand = defineCommand('bundle', {
  async handler(args, ctx) {
    const config = await ctx.loadConfig();
    // Loaded here so that other commands do not pay for esbuild at start-up.
    const [{ bundleToDirectory }, { typecheckStep }] = await Promise.all([
      import('../pipeline/write-bundle.js'),
      import('../pipeline/typecheck.js'),
    ]);
    if (args.typecheck) await typecheckStep(ctx, config);
    const outDir = resolve(ctx.cwd, args['out-dir']);
    const started = performance.now();
    const shipped = await ctx.out.step(`Bundling ${config.handler}`, () => bundleToDirectory(config, outDir));
    if (shipped.kind === 'unbundled') {
      ctx.out.warn(`copied the function unbundled: ${shipped.reason}`);
      ctx.out.result(`Copied into ${outDir} (not bundled)\n  handler   ${config.handler}`, {
        ok: true,
        outDir,
        handler: config.handler,
        bundled: false,
        reason: shipped.reason,
      });
      return;
    }
    const result = shipped.result;
    for (const warning of result.warnings) ctx.out.warn(warning);
    const external = result.externalPackages.map((p) => p.name);
    ctx.out.result(
      [
        `Bundled into ${outDir}`,
        `  handler   ${result.handler}`,
        `  external  ${external.length ? external.join(', ') : 'none'}`,
        `  took      ${formatDuration(performance.now() - started)}`,
      ].join('\n'),
      {
        ok: true,
        outDir,
        handler: result.handler,
        bundled: true,
        nodeOptions: result.nodeOptions,
        externalPackages: external,
        files: result.files.map((f) => f.path),
      },
    );
  },
});
