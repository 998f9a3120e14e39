// Builds a prepared context through the Engine API and reads the daemon's progress until it ends.
// What goes into the context (Dockerfile, labels, bundle) is decided in src/image; this file only talks to the engine.
import type Docker from 'dockerode';
import { ExitCode, UserError } from '../core/errors.js';
import type { Architecture } from '../config/types.js';
import { engineConnectionLost, engineMessage } from './client.js';
import { platformOf } from './platform.js';

/** One build as the engine takes it: a tar stream and its parameters. */
export interface EngineBuildRequest {
  /** repository:tag of the local image. */
  name: string;
  /** The tar of the build context. */
  context: NodeJS.ReadableStream;
  /** The Dockerfile's path inside the tar. */
  dockerfile: string;
  architecture: Architecture;
  labels?: Record<string, string>;
  buildargs?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  signal?: AbortSignal;
}

/** What the build reports as it goes: step names, the daemon's lines, and whether to keep the output out of errors. */
export interface BuildProgress {
  update: (text: string) => void;
  debug: (line: string) => void;
  /** --verbose: the whole output was already shown, so errors do not repeat its tail. */
  verbose?: boolean;
}

export interface EngineImage {
  /** repository:tag of the local image. */
  name: string;
  id: string;
  size: number;
  architecture: string;
  os: string;
  platform: string;
}

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
function followBuild(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  progress: BuildProgress,
): Promise<string | undefined> {
  let step = '';
  let imageId: string | undefined;
  const recent: string[] = [];
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: ProgressEvent[]) => {
        const failure =
          error?.message ??
          events.find((e) => e.error || e.errorDetail)?.errorDetail?.message ??
          events.find((e) => e.error)?.error;
        if (error && engineConnectionLost(error)) {
          return reject(
            new UserError(
              `lost the connection to the Docker engine during the build${step ? ` at ${step}` : ''} (${error.message}); the engine stopped or restarted`,
              {
                exitCode: ExitCode.dockerUnreachable,
                hint: 'check that the engine runs (`docker info`) and look at its log, then build again',
                cause: error,
              },
            ),
          );
        }
        if (failure) {
          const where = step ? ` at ${step}` : '';
          const tail =
            progress.verbose || recent.length === 0
              ? ''
              : `\n${recent
                  .slice(-5)
                  .map((l) => `  | ${l}`)
                  .join('\n')}`;
          reject(
            new UserError(`build failed${where}: ${failure.trim()}${tail}`, {
              exitCode: ExitCode.buildFailed,
              hint: progress.verbose ? undefined : 'rerun with --verbose to see the whole build output',
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
            progress.update(`Step ${stepMatch[1]}`);
          } else if (!BUILDER_CHATTER.test(line)) {
            recent.push(line);
            if (recent.length > 20) recent.shift();
          }
          progress.debug(line);
        }
      },
    );
  });
}

// The classic builder's own bookkeeping lines; what remains is the output of the user's commands.
const BUILDER_CHATTER = /^( ---> |Removing intermediate container |Successfully (built|tagged) )/;

export async function buildImage(
  docker: Docker,
  request: EngineBuildRequest,
  progress: BuildProgress,
): Promise<EngineImage> {
  const { name, architecture } = request;
  const platform = platformOf(architecture);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(request.context, {
      t: name,
      dockerfile: request.dockerfile,
      buildargs: request.buildargs,
      labels: request.labels,
      target: request.target,
      platform,
      nocache: request.noCache,
      pull: request.pull ? 'true' : undefined,
      rm: true,
      forcerm: true,
      abortSignal: request.signal,
    } as Parameters<Docker['buildImage']>[1]);
  } catch (error) {
    throw new UserError(`build failed: ${engineMessage(error)}`, { exitCode: ExitCode.buildFailed, cause: error });
  }
  const imageId = await followBuild(docker, stream, progress);
  const info = await docker.getImage(imageId ?? name).inspect();
  if (info.Architecture !== engineArchitecture(architecture))
    throw new UserError(`the image was built for ${info.Os}/${info.Architecture}, not ${platform}`, {
      exitCode: ExitCode.buildFailed,
      hint: `use a base image that has ${platform}, or set "architecture" to match it`,
    });
  return { name, id: info.Id, size: info.Size, architecture: info.Architecture, os: info.Os, platform };
}
