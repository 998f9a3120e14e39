// The build step every command that needs an image shares: resolve the source (src/image), make its tar
// context, and have the engine build it.
import type { ResolvedConfig } from '../config/types.js';
import type { EngineImage } from '../docker/build.js';
import { platformOf } from '../docker/platform.js';
import { imageIdOf } from '../docker/image-lookup.js';
import { baseImagesOf } from '../image/base-images.js';
import { createBuildContext, selectContext, type ContextSelection } from '../image/context.js';
import { type BuildParameters, dockerfileOf, INPUTS_LABEL, inputsHash } from '../image/inputs.js';
import { resolveImageSource, type ImageSource } from '../image/source.js';
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

/** Everything a build sends, decided and read before the engine is asked for anything costly. */
export interface PreparedBuild {
  /** repository:tag of the local image. */
  name: string;
  source: ImageSource;
  selection: ContextSelection;
  parameters: BuildParameters;
  /** The build-inputs hash (image/inputs.ts); undefined when an image the Dockerfile reads is not in the engine. */
  inputs?: string;
}

/** Builds the function's image as `<repository>:<config.tag or latest>`. */
export async function buildStep(
  ctx: PipelineContext,
  config: ResolvedConfig,
  options: BuildOptions,
): Promise<BuiltImage> {
  const started = performance.now();
  return runBuild(ctx, config, await prepareBuild(ctx, config, options), options, started);
}

/** Layers, bundle, Dockerfile, the context's file list and the inputs hash: all but the build. */
export async function prepareBuild(
  ctx: PipelineContext,
  config: ResolvedConfig,
  options: BuildOptions,
): Promise<PreparedBuild> {
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
  const selection = await selectContext(source.context);
  const parameters: BuildParameters = {
    dockerfile: source.dockerfile,
    platform: platformOf(config.architecture),
    labels: source.labels ?? {},
    buildargs: config.buildArgs,
    target: source.target ?? config.target,
  };
  const name = `${config.repository}:${config.tag ?? 'latest'}`;
  const inputs = await hashInputs(ctx, source, selection, parameters);
  out.debug(`build inputs: ${inputs ?? 'not hashed (an image the Dockerfile reads is not in the engine yet)'}`);
  return { name, source, selection, parameters, inputs };
}

/** The inputs hash, with each image the Dockerfile reads pinned by the engine's ID for it. */
async function hashInputs(
  ctx: PipelineContext,
  source: ImageSource,
  selection: ContextSelection,
  parameters: BuildParameters,
): Promise<string | undefined> {
  const references = baseImagesOf(await dockerfileOf(source.context, source.dockerfile), parameters.buildargs);
  if (!references) return undefined;
  // An engine that cannot be reached is reported by the build step, under its own line, as before any hash.
  const docker = await ctx.docker().catch(() => undefined);
  if (!docker) return undefined;
  const baseImages: Record<string, string> = {};
  for (const reference of references) {
    const id = await imageIdOf(docker, reference);
    if (!id) return undefined;
    baseImages[reference] = id;
  }
  return inputsHash({ plan: source.context, selection, parameters, baseImages });
}

/** Has the engine build a prepared build; the image carries its inputs hash as a label. */
export async function runBuild(
  ctx: PipelineContext,
  config: ResolvedConfig,
  prepared: PreparedBuild,
  options: BuildOptions,
  started = performance.now(),
): Promise<BuiltImage> {
  const { out, signal } = ctx;
  const { name, source, selection, parameters } = prepared;
  const context = await createBuildContext(source.context, selection);
  if (context.suspectedSecrets.length > 0) {
    const shown = context.suspectedSecrets.slice(0, 5).join(', ');
    const more = context.suspectedSecrets.length > 5 ? ` and ${context.suspectedSecrets.length - 5} more` : '';
    out.warn(`the build context holds files that look like secrets: ${shown}${more}; add them to .dockerignore`);
  }
  out.debug(`dockerfile: ${source.describe}; context entries: ${context.entries.length}`);
  // The engine is reached inside the step: its line shows before the Docker client loads (a few hundred ms).
  return out.step(`Building ${name} (${parameters.platform})`, async (update) => {
    const [{ buildImage }, { discardReplacedImage }] = await Promise.all([
      import('../docker/build.js'),
      import('../docker/discard-image.js'),
    ]);
    const docker = await ctx.docker();
    // The image the name points at now: once the new build takes its tag, it is discarded rather than left dangling.
    const replaced = await imageIdOf(docker, name);
    // Given to the engine, not written in the Dockerfile: the engine adds it as the last step, so a changed hash
    // leaves every cached step before it usable.
    const labels = prepared.inputs ? { ...parameters.labels, [INPUTS_LABEL]: prepared.inputs } : parameters.labels;
    const request = {
      ...parameters,
      name,
      context: context.stream,
      architecture: config.architecture,
      labels,
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
