// The build step every command that needs an image shares: resolve the source (src/image), make its tar
// context, and have the engine build it.
import type { ResolvedConfig } from '../config/types.js';
import type { EngineImage } from '../docker/build.js';
import { createBuildContext } from '../image/context.js';
import { resolveImageSource } from '../image/source.js';
import type { PipelineContext } from './context.js';
import { readLayers } from './layers.js';

export interface BuildOptions {
  noCache?: boolean;
  pull?: boolean;
  /** Run the project's tsc --noEmit before building. */
  typecheck?: boolean;
  /** false: never bundle a TS/JS handler (--no-bundle). */
  bundle?: boolean;
  /** --builder codebuild: create the CodeBuild project when it is missing (--create-builder). */
  createBuilder?: boolean;
  /** --role, the CodeBuild service role --create-builder uses when the config names none. */
  builderRole?: string;
}

export interface BuiltImage extends EngineImage {
  /** Shown to the user: which Dockerfile was used. */
  dockerfile: string;
  durationMs: number;
}

/** Builds the function's image as `<repository>:<config.tag or latest>`. */
export async function buildStep(
  ctx: PipelineContext,
  config: ResolvedConfig,
  options: BuildOptions,
): Promise<BuiltImage> {
  const started = performance.now();
  const { out, signal } = ctx;
  const layers =
    config.layers && config.layers.length > 0
      ? await out.step(`Reading ${config.layers.length} layer${config.layers.length > 1 ? 's' : ''}`, () =>
          readLayers(config, { env: ctx.env ?? {}, signal }),
        )
      : [];
  const source = await resolveImageSource(config, out, {
    typecheck: options.typecheck,
    bundle: options.bundle,
    signal,
    layers,
  });
  const context = await createBuildContext(source.context);
  if (context.suspectedSecrets.length > 0) {
    const shown = context.suspectedSecrets.slice(0, 5).join(', ');
    const more = context.suspectedSecrets.length > 5 ? ` and ${context.suspectedSecrets.length - 5} more` : '';
    out.warn(`the build context holds files that look like secrets: ${shown}${more}; add them to .dockerignore`);
  }
  out.debug(`dockerfile: ${source.describe}; context entries: ${context.entries.length}`);
  // The engine adapter loads after the first line (the bundle's step): every building command imports this module.
  const [{ buildImage, platformOf }, { discardReplacedImage }] = await Promise.all([
    import('../docker/build.js'),
    import('../docker/discard-image.js'),
  ]);
  const name = `${config.repository}:${config.tag ?? 'latest'}`;
  // The engine is reached inside the step: its line shows before the Docker client loads (a few hundred ms).
  return out.step(`Building ${name} (${platformOf(config.architecture)})`, async (update) => {
    const docker = await ctx.docker();
    // The image the name points at now: once the new build takes its tag, it is discarded rather than left dangling.
    const replaced = await docker
      .getImage(name)
      .inspect()
      .then(
        (info) => info.Id,
        () => undefined,
      );
    const request = {
      name,
      context: context.stream,
      dockerfile: source.dockerfile,
      architecture: config.architecture,
      labels: source.labels,
      buildargs: config.buildArgs,
      target: source.target ?? config.target,
      noCache: options.noCache,
      pull: options.pull,
      signal,
    };
    const image = await buildImage(docker, request, { update, debug: (line) => out.debug(line), verbose: out.verbose });
    // Left alone when another tag still names it or a container uses it (a --watch environment: discarded later).
    if (replaced && replaced !== image.id && (await discardReplacedImage(docker, replaced)))
      out.debug(`removed the image ${name} pointed at before: ${replaced}`);
    return { ...image, dockerfile: source.describe, durationMs: Math.round(performance.now() - started) };
  });
}
