// Tags and pushes an image through the Engine API with per-request credentials, then verifies what the registry holds.
import type Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, UserError } from '../core/errors.js';
import type { Architecture } from '../config/types.js';
import { maskSecret } from '../core/secrets.js';
import { engineArchitecture } from './build.js';
import { engineConnectionLost, engineMessage } from './client.js';

/** What the engine needs to log in to the registry for one request; the caller fetches it (for ECR, from a fresh token). */
export interface RegistryCredentials {
  username: string;
  /** Never logged, never written anywhere: passed to the engine per request only. */
  password: string;
  /** host[:port] of the registry, as the engine's authconfig wants it. */
  serverAddress: string;
}

export interface PushOptions {
  /** Name or ID of the local image to push. */
  localImage: string;
  repositoryUri: string;
  tag: string;
  architecture: Architecture;
  /** Called once up front, and again for a fresh token when the registry refuses the first one. */
  credentials: () => Promise<RegistryCredentials>;
  update?: (text: string) => void;
  debug?: (line: string) => void;
  signal?: AbortSignal;
  /** Backoff between attempts after a registry 5xx or a dropped connection. */
  retryDelaysMs?: number[];
  /** Silence from the engine after which an attempt is abandoned (default PUSH_STALL_MS). */
  stallMs?: number;
  /** Epoch ms by which the whole push must end (set by pushImage from PUSH_DEADLINE_MS). */
  deadline?: number;
}

export interface PushedImage {
  /** <repositoryUri>:<tag> */
  taggedReference: string;
  digest: string;
  /** <repositoryUri>@sha256:… — the immutable reference Lambda runs. */
  imageUri: string;
  mediaType: string;
  layers: { total: number; pushed: number; existed: number };
}

export const PUSH_RETRY_DELAYS_MS = [1000, 2000, 4000];

interface PushEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

type Failure = { kind: 'auth' | 'transient' | 'engine' | 'other'; message: string };

const AUTH_FAILURE =
  /unauthorized|authentication required|no basic auth credentials|access denied|denied: |401 Unauthorized|403 Forbidden|authorization token has expired/i;
const TRANSIENT_FAILURE =
  /\b5\d\d\b|internal server error|bad gateway|service unavailable|gateway time-?out|connection reset|connection refused|broken pipe|unexpected EOF|i\/o timeout|TLS handshake timeout|no such host|server misbehaving/i;

export function classifyPushFailure(message: string): Failure {
  if (AUTH_FAILURE.test(message)) return { kind: 'auth', message };
  if (TRANSIENT_FAILURE.test(message)) return { kind: 'transient', message };
  return { kind: 'other', message };
}

/** One line for all layers: what a spinner shows while the daemon pushes. */
export class PushProgress {
  private readonly layers = new Map<
    string,
    { current: number; total: number; state: 'waiting' | 'pushing' | 'pushed' | 'existed' }
  >();

  /** Returns the new summary when the event changed it. */
  apply(event: PushEvent): void {
    if (!event.id || !event.status || event.id.includes(':') || event.aux) return;
    const layer = this.layers.get(event.id) ?? { current: 0, total: 0, state: 'waiting' as const };
    if (event.status === 'Pushing') {
      layer.state = 'pushing';
      layer.current = event.progressDetail?.current ?? layer.current;
      layer.total = event.progressDetail?.total ?? layer.total;
    } else if (event.status === 'Pushed') {
      layer.state = 'pushed';
      layer.current = layer.total;
    } else if (event.status === 'Layer already exists' || event.status.startsWith('Mounted from')) {
      layer.state = 'existed';
    }
    this.layers.set(event.id, layer);
  }

  counts(): PushedImage['layers'] {
    const all = [...this.layers.values()];
    return {
      total: all.length,
      pushed: all.filter((l) => l.state === 'pushed').length,
      existed: all.filter((l) => l.state === 'existed').length,
    };
  }

  summary(): string {
    const all = [...this.layers.values()];
    const { total, pushed, existed } = this.counts();
    const bytes = all.reduce((sum, l) => sum + l.current, 0);
    const totalBytes = all.reduce((sum, l) => sum + l.total, 0);
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    const transfer = totalBytes > 0 ? `, ${mb(bytes)}/${mb(totalBytes)} MB` : '';
    return `${pushed + existed}/${total} layers${transfer}${existed ? `, ${existed} already existed` : ''}`;
  }
}

const authconfigOf = (credentials: RegistryCredentials) => ({
  username: credentials.username,
  password: credentials.password,
  serveraddress: credentials.serverAddress,
});

/** How long a push may go without any word from the engine before the attempt is abandoned as stalled. */
export const PUSH_STALL_MS = 60_000;
/** The most a whole push (every attempt and pause) may take. */
export const PUSH_DEADLINE_MS = 30 * 60_000;
/** The engine's own layer retry ("Retrying in 5 seconds"): it would retry 5 times per layer, for minutes. */
const ENGINE_RETRYING = /^Retrying in \d+ seconds?$/;

/** One push attempt: the stream is read with followProgress; an errorDetail fails it even after HTTP 200. */
async function pushOnce(
  docker: Docker,
  reference: string,
  tag: string,
  credentials: RegistryCredentials,
  options: PushOptions,
  progress: PushProgress,
): Promise<{ digest?: string } | Failure> {
  // This attempt ends early (its request is closed, which cancels the engine's push) when the engine starts
  // retrying on its own, when it stays silent too long, or at the push's deadline: our retry policy is the only one.
  const attempt = new AbortController();
  const signals = [attempt.signal, ...(options.signal ? [options.signal] : [])];
  let abandoned: Failure | undefined;
  const abandon = (failure: Failure) => {
    abandoned ??= failure;
    attempt.abort();
  };
  const stallMs = options.stallMs ?? PUSH_STALL_MS;
  const stall = setTimeout(
    () => abandon({ kind: 'transient', message: `no progress from the engine for ${stallMs / 1000} s` }),
    stallMs,
  );
  const deadline = options.deadline
    ? setTimeout(
        () => abandon({ kind: 'other', message: 'the push did not finish within its deadline' }),
        Math.max(0, options.deadline - Date.now()),
      )
    : undefined;
  try {
    let stream: NodeJS.ReadableStream;
    try {
      // A fresh options object per attempt: dockerode deletes authconfig from the one it is given.
      stream = await docker
        .getImage(reference)
        .push({ tag, authconfig: authconfigOf(credentials), abortSignal: AbortSignal.any(signals) });
    } catch (error) {
      if (!abandoned && engineConnectionLost(error)) return { kind: 'engine', message: engineMessage(error) };
      return abandoned ?? classifyPushFailure(engineMessage(error));
    }
    let lastUpdate = 0;
    return await new Promise((resolve) => {
      docker.modem.followProgress(
        stream,
        (error: Error | null, events: PushEvent[]) => {
          if (abandoned) return resolve(abandoned);
          if (error && engineConnectionLost(error)) return resolve({ kind: 'engine', message: error.message });
          const failed = events.find((e) => e.errorDetail || e.error);
          const message = error
            ? engineMessage(error)
            : failed
              ? (failed.errorDetail?.message ?? failed.error ?? 'push failed')
              : undefined;
          if (message) return resolve(classifyPushFailure(maskSecret(message, credentials.password)));
          const aux = events.find((e) => e.aux?.Digest)?.aux;
          const fromStatus = events.map((e) => /digest: (sha256:[0-9a-f]{64})/.exec(e.status ?? '')?.[1]).find(Boolean);
          resolve({ digest: aux?.Digest ?? fromStatus });
        },
        (event: PushEvent) => {
          stall.refresh();
          if (event.status && ENGINE_RETRYING.test(event.status)) {
            return abandon({
              kind: 'transient',
              message: `the registry failed the upload of layer ${event.id ?? '?'} (the engine began retrying)`,
            });
          }
          progress.apply(event);
          const now = Date.now();
          // The daemon sends many events a second; the spinner needs a few.
          if (options.update && now - lastUpdate > 200) {
            lastUpdate = now;
            options.update(progress.summary());
          }
        },
      );
    });
  } finally {
    clearTimeout(stall);
    clearTimeout(deadline);
  }
}

/** Tags the local image as <repositoryUri>:<tag>, pushes it, and checks the registry holds one manifest of the right architecture. */
export async function pushImage(docker: Docker, options: PushOptions): Promise<PushedImage> {
  const { repositoryUri, tag } = options;
  const taggedReference = `${repositoryUri}:${tag}`;
  try {
    await docker.getImage(options.localImage).tag({ repo: repositoryUri, tag });
  } catch (error) {
    throw new UserError(`cannot tag ${options.localImage} as ${taggedReference}: ${engineMessage(error)}`, {
      exitCode: ExitCode.pushFailed,
      cause: error,
    });
  }

  let pushed: Awaited<ReturnType<typeof pushWithRetries>>;
  try {
    pushed = await pushWithRetries(docker, taggedReference, {
      ...options,
      deadline: options.deadline ?? Date.now() + PUSH_DEADLINE_MS,
    });
  } catch (error) {
    // A failed push leaves nothing behind: the registry tag it added goes again (the image keeps its own name).
    await docker
      .getImage(taggedReference)
      .remove({ noprune: true })
      .catch(() => undefined);
    throw error;
  }
  const { digest, credentials, progress } = pushed;
  const mediaType = await verifyPushedManifest(
    docker,
    `${repositoryUri}@${digest}`,
    digest,
    options.architecture,
    credentials,
  );
  return { taggedReference, digest, imageUri: `${repositoryUri}@${digest}`, mediaType, layers: progress.counts() };
}

/** Attempts until one succeeds: one fresh token after an auth failure, `retryDelaysMs` pauses after transient ones. */
async function pushWithRetries(docker: Docker, taggedReference: string, options: PushOptions) {
  const registry = options.repositoryUri.split('/')[0]!;
  let credentials = await options.credentials();
  let refreshedToken = false;
  const delays = options.retryDelaysMs ?? PUSH_RETRY_DELAYS_MS;
  let transientRetries = 0;
  for (;;) {
    const progress = new PushProgress();
    const outcome = await pushOnce(docker, taggedReference, options.tag, credentials, options, progress);
    if (!('kind' in outcome)) {
      if (!outcome.digest)
        throw new UserError(`the push of ${taggedReference} reported no digest`, { exitCode: ExitCode.pushFailed });
      return { digest: outcome.digest, credentials, progress };
    }
    if (options.signal?.aborted) throw new UserError('push interrupted', { exitCode: ExitCode.interrupted });
    if (outcome.kind === 'auth' && !refreshedToken) {
      // The token may have expired mid-push: one fresh token, one more try.
      refreshedToken = true;
      options.debug?.(`registry refused the credentials (${outcome.message}); retrying with a fresh token`);
      credentials = await options.credentials();
    } else if (outcome.kind === 'transient' && transientRetries < delays.length) {
      const delay = delays[transientRetries++]!;
      options.debug?.(`push failed (${outcome.message}); retry ${transientRetries}/${delays.length} in ${delay}ms`);
      options.update?.(`registry error, retrying in ${(delay / 1000).toFixed(1)}s`);
      await sleep(delay, undefined, { signal: options.signal });
    } else {
      throw pushFailure(outcome, registry, transientRetries);
    }
  }
}

function pushFailure(failure: Failure, registry: string, retries: number): UserError {
  if (failure.kind === 'engine') {
    return new UserError(
      `lost the connection to the Docker engine during the push to ${registry} (${failure.message}); the engine stopped or restarted`,
      {
        exitCode: ExitCode.dockerUnreachable,
        hint: 'check that the engine runs (`docker info`) and look at its log, then push again',
        details: { registry, reason: failure.message },
      },
    );
  }
  if (failure.kind === 'auth') {
    return new UserError(`the registry ${registry} refused the credentials: ${failure.message}`, {
      exitCode: ExitCode.pushFailed,
      hint: 'check that the identity may push to this repository (ecr:InitiateLayerUpload, ecr:PutImage, …) and that the region is right',
      details: { registry, reason: failure.message },
    });
  }
  const after = retries > 0 ? ` after ${retries + 1} attempts` : '';
  return new UserError(`push to ${registry} failed${after}: ${failure.message}`, {
    exitCode: ExitCode.pushFailed,
    hint:
      failure.kind === 'transient'
        ? 'the registry is unreachable or failing; check the network and try again'
        : undefined,
    details: { registry, reason: failure.message },
  });
}

const IMAGE_MANIFESTS = new Set([
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
]);

interface DistributionInspect {
  Descriptor: { mediaType: string; digest: string; size: number };
  Platforms?: Array<{ architecture: string; os: string }>;
}

/** GET /distribution/{name}/json with the same credentials: Lambda wants one image manifest of its architecture. */
async function verifyPushedManifest(
  docker: Docker,
  name: string,
  digest: string,
  architecture: Architecture,
  credentials: RegistryCredentials,
): Promise<string> {
  let inspect: DistributionInspect;
  try {
    inspect = await new Promise<DistributionInspect>((resolve, reject) => {
      docker.modem.dial(
        {
          path: `/distribution/${name}/json`,
          method: 'GET',
          authconfig: authconfigOf(credentials),
          statusCodes: { 200: true, 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 500: 'server error' },
          options: {},
        },
        (error: unknown, data: unknown) => (error ? reject(error) : resolve(data as DistributionInspect)),
      );
    });
  } catch (error) {
    throw new UserError(
      `cannot read back the pushed manifest ${name}: ${maskSecret(engineMessage(error), credentials.password)}`,
      { exitCode: ExitCode.pushFailed },
    );
  }
  const { mediaType } = inspect.Descriptor;
  if (!IMAGE_MANIFESTS.has(mediaType)) {
    throw new UserError(
      `the pushed image ${name} is a ${mediaType}, not a single-platform image manifest; Lambda rejects indexes`,
      {
        exitCode: ExitCode.pushFailed,
        hint: 'build for one platform only (no multi-platform builds, no provenance attestations)',
      },
    );
  }
  if (inspect.Descriptor.digest !== digest) {
    throw new UserError(`the registry holds ${inspect.Descriptor.digest} for ${name}, not the pushed ${digest}`, {
      exitCode: ExitCode.pushFailed,
    });
  }
  const platforms = inspect.Platforms ?? [];
  const wanted = engineArchitecture(architecture);
  if (platforms.length !== 1 || platforms[0]!.architecture !== wanted || platforms[0]!.os !== 'linux') {
    const found = platforms.map((p) => `${p.os}/${p.architecture}`).join(', ') || 'no platform';
    throw new UserError(`the pushed image ${name} is ${found}, but the function needs linux/${wanted}`, {
      exitCode: ExitCode.pushFailed,
      hint: `set "architecture" to match the image, or build it for linux/${wanted}`,
    });
  }
  return mediaType;
}
