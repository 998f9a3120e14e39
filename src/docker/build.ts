// Builds the function's image through the Engine API and reads the daemon's progress until it ends.
import type Docker from 'dockerode';
import { ExitCode, UserError } from '../cli/errors.js';
import type { Output } from '../cli/output.js';
import type { Architecture, ResolvedConfig } from '../config/types.js';
import { resolveBuildSource, type BuildSource } from './build-source.js';
import { bundledBuildSource } from '../bundle/build-source.js';
import { engineMessage } from './client.js';
import { createBuildContext } from './context.js';
import { imageLabels } from './labels.js';

export interface BuildOptions {
  tag: string;
  noCache?: boolean;
  pull?: boolean;
  signal?: AbortSignal;
  /** Run the project's tsc --noEmit before building. */
  typecheck?: boolean;
  /** false: never bundle a TS/JS handler (--no-bundle). */
  bundle?: boolean;
}

export interface BuiltImage {
  /** repository:tag of the local image. */
  name: string;
  id: string;
  size: number;
  architecture: string;
  os: string;
  platform: string;
  dockerfile: string;
  durationMs: number;
}

export const platformOf = (architecture: Architecture) => (architecture === 'arm64' ? 'linux/arm64' : 'linux/amd64');
/** The Engine API's names for Lambda's architectures. */
export const engineArchitecture = (architecture: Architecture) => (architecture === 'arm64' ? 'arm64' : 'amd64');

interface ProgressEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string; code?: number };
  aux?: { ID?: string };
}


/** Reads the daemon's stream with followProgress; an `error` event is a failure even though the HTTP status was 200. */
function followBuild(docker: Docker, stream: NodeJS.ReadableStream, out: Output, update: (text: string) => void): Promise<string | undefined> {
  let step = '';
  let imageId: string | undefined;
  const recent: string[] = [];
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: ProgressEvent[]) => {
        const failure = error?.message ?? events.find((e) => e.error || e.errorDetail)?.errorDetail?.message ?? events.find((e) => e.error)?.error;
        if (failure) {
          const where = step ? ` at ${step}` : '';
          const tail = out.verbose || recent.length === 0 ? '' : `\n${recent.slice(-5).map((l) => `  | ${l}`).join('\n')}`;
          reject(
            new UserError(`build failed${where}: ${failure.trim()}${tail}`, {
              exitCode: ExitCode.buildFailed,
              hint: out.verbose ? undefined : 'rerun with --verbose to see the whole build output',
              details: { step, daemonError: failure.trim() },
            }),
          );
        } else resolve(imageId);
      },
      (event: ProgressEvent) => {
        if (event.aux?.ID) imageId = event.aux.ID;
        const text = event.stream ?? event.status;
        if (!text) return;
        for (const line of text.split('\n')) {
          if (!line.trim()) continue;
          const stepMatch = /^Step (\d+\/\d+) : (.*)$/.exec(line);
          if (stepMatch) {
            step = `step ${stepMatch[1]} (${stepMatch[2]!.slice(0, 60)})`;
            update(`Step ${stepMatch[1]}`);
          } else if (!BUILDER_CHATTER.test(line)) {
            recent.push(line);
            if (recent.length > 20) recent.shift();
          }
          out.debug(line);
        }
      },
    );
  });
}

// The classic builder's own bookkeeping lines; what remains is the output of the user's commands.
const BUILDER_CHATTER = /^( ---> |Removing intermediate container |Successfully (built|tagged) )/;

export async function buildImage(docker: Docker, config: ResolvedConfig, out: Output, options: BuildOptions): Promise<BuiltImage> {
  const started = performance.now();
  // A TS/JS handler without a Dockerfile of the user's is bundled; anything else (a program too) builds as written.
  const bundled = config.program ? undefined : await bundledBuildSource(config, out, options);
  const source: BuildSource = bundled ?? (await resolveBuildSource(config));
  const context = await createBuildContext(source.context);
  if (context.suspectedSecrets.length > 0) {
    const shown = context.suspectedSecrets.slice(0, 5).join(', ');
    const more = context.suspectedSecrets.length > 5 ? ` and ${context.suspectedSecrets.length - 5} more` : '';
    out.warn(`the build context holds files that look like secrets: ${shown}${more}; add them to .dockerignore`);
  }
  out.debug(`dockerfile: ${source.describe}; context entries: ${context.entries.length}`);
  const name = `${config.repository}:${options.tag}`;
  const platform = platformOf(config.architecture);

  return out.step(`Building ${name} (${platform})`, async (update) => {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await docker.buildImage(context.stream, {
        t: name,
        dockerfile: source.dockerfile,
        buildargs: config.buildArgs,
        // A generated Dockerfile carries the labels itself (one early step); the API's labels would be extra steps at the end.
        labels: source.kind === 'user-dockerfile' ? imageLabels(config) : undefined,
        target: config.target,
        platform,
        nocache: options.noCache,
        pull: options.pull ? 'true' : undefined,
        rm: true,
        forcerm: true,
        abortSignal: options.signal,
      } as Parameters<Docker['buildImage']>[1]);
    } catch (error) {
      throw new UserError(`build failed: ${engineMessage(error)}`, { exitCode: ExitCode.buildFailed, cause: error });
    }
    const imageId = await followBuild(docker, stream, out, update);
    const info = await docker.getImage(imageId ?? name).inspect();
    const expected = config.architecture === 'arm64' ? 'arm64' : 'amd64';
    if (info.Architecture !== expected)
      throw new UserError(`the image was built for ${info.Os}/${info.Architecture}, not ${platform}`, {
        exitCode: ExitCode.buildFailed,
        hint: `use a base image that has ${platform}, or set "architecture" to match it`,
      });
    return {
      name,
      id: info.Id,
      size: info.Size,
      architecture: info.Architecture,
      os: info.Os,
      platform,
      dockerfile: source.describe,
      durationMs: Math.round(performance.now() - started),
    };
  });
}
