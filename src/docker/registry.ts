// Talks to a registry over the OCI distribution API (manifests and blobs over HTTP), without an engine: what a
// registry-to-registry copy needs. Credentials travel per request in the Authorization header, never to disk.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, UserError } from '../core/errors.js';
import { maskSecret } from '../core/secrets.js';

/** A registry and how to log in to it; `credentials` is asked again for a fresh token after a 401. */
export interface RegistryAccess {
  /** http(s)://host[:port], as ECR's proxyEndpoint gives it. */
  endpoint: string;
  credentials: () => Promise<{ username: string; password: string }>;
  signal?: AbortSignal;
  /** Pauses between attempts after a 5xx, a 429 or a lost connection (default COPY_RETRY_DELAYS_MS). */
  retryDelaysMs?: number[];
  /** How long a request other than a blob's bytes may go unanswered (default REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

/** A registry request that is not a blob's bytes ends within this (as an AWS call's silence bound). */
export const REQUEST_TIMEOUT_MS = 30_000;

/** As for an engine push: at most 4 attempts, 1, 2 and 4 s apart. */
export const COPY_RETRY_DELAYS_MS = [1000, 2000, 4000];
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);

export const IMAGE_MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;
export const INDEX_MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
] as const;
const ACCEPT = [...IMAGE_MANIFEST_TYPES, ...INDEX_MANIFEST_TYPES].join(', ');

export interface FetchedManifest {
  mediaType: string;
  /** sha256 of the exact bytes: what the registry and Lambda call the image's digest. */
  digest: string;
  body: Buffer;
}

export const sha256Digest = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

export class RegistryClient {
  private auth?: Promise<{ username: string; password: string }>;
  readonly host: string;

  constructor(readonly access: RegistryAccess) {
    this.host = new URL(access.endpoint).host;
  }

  /** GET a manifest (by tag or digest); its digest is computed from the bytes, and checked when asked by digest. */
  async manifest(repository: string, reference: string): Promise<FetchedManifest | undefined> {
    const response = await this.request('GET', `/v2/${repository}/manifests/${reference}`, { accept: ACCEPT });
    if (response.status === 404) return undefined;
    await this.expect(response, [200], `reading ${repository}:${reference}`);
    const body = Buffer.from(await response.arrayBuffer());
    const digest = sha256Digest(body);
    if (reference.startsWith('sha256:') && reference !== digest)
      throw copyError(`${this.host}/${repository}@${reference} served a manifest whose digest is ${digest}`);
    return { mediaType: (response.headers.get('content-type') ?? '').split(';')[0]!.trim(), digest, body };
  }

  /** Whether the repository holds this manifest or blob. */
  async has(repository: string, kind: 'manifests' | 'blobs', digest: string): Promise<boolean> {
    const response = await this.request('HEAD', `/v2/${repository}/${kind}/${digest}`, { accept: ACCEPT });
    if (response.status === 404) return false;
    await this.expect(response, [200], `checking ${kind.slice(0, -1)} ${digest} in ${repository}`);
    return true;
  }

  /** The blob's bytes as a stream (a registry may redirect to storage; fetch drops our credentials on the way). */
  async blob(repository: string, digest: string): Promise<ReadableStream<Uint8Array>> {
    const response = await this.request('GET', `/v2/${repository}/blobs/${digest}`, { streamed: true });
    await this.expect(response, [200], `reading blob ${digest} of ${repository}`);
    if (!response.body) throw copyError(`${this.host} sent blob ${digest} of ${repository} without a body`);
    return response.body;
  }

  /** Mounts a blob from another repository of this registry; false when the registry would not (then upload it). */
  async mount(repository: string, digest: string, from: string): Promise<boolean> {
    const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const response = await this.request('POST', `/v2/${repository}/blobs/uploads/?${query}`);
    await this.expect(response, [201, 202], `mounting ${digest} into ${repository}`);
    if (response.status === 202) {
      // The registry opened an upload instead: close it, the blob is copied by the caller.
      const location = response.headers.get('location');
      if (location) await this.request('DELETE', location).catch(() => undefined);
    }
    return response.status === 201;
  }

  /** Uploads a blob in one PATCH and closes it with its digest (the registry checks the bytes against it). */
  async upload(repository: string, digest: string, body: ReadableStream<Uint8Array>): Promise<void> {
    const started = await this.request('POST', `/v2/${repository}/blobs/uploads/`);
    await this.expect(started, [202], `starting an upload to ${repository}`);
    const patched = await this.request('PATCH', locationOf(started), {
      body,
      headers: { 'content-type': 'application/octet-stream' },
    });
    await this.expect(patched, [202], `uploading ${digest} to ${repository}`);
    const location = locationOf(patched);
    const closing = `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
    const closed = await this.request('PUT', closing, { headers: { 'content-length': '0' } });
    await this.expect(closed, [201], `finishing the upload of ${digest} to ${repository}`);
  }

  /** PUTs the manifest bytes under `reference`; returns the digest the registry says it stored. */
  async putManifest(repository: string, reference: string, manifest: FetchedManifest): Promise<string | undefined> {
    const response = await this.request('PUT', `/v2/${repository}/manifests/${reference}`, {
      // The exact bytes: the digest is theirs.
      body: new Blob([new Uint8Array(manifest.body)]),
      headers: { 'content-type': manifest.mediaType },
    });
    await this.expect(response, [201], `writing the manifest ${repository}:${reference}`);
    return response.headers.get('docker-content-digest') ?? undefined;
  }

  private async request(
    method: string,
    path: string,
    options: {
      accept?: string;
      body?: Blob | ReadableStream<Uint8Array>;
      headers?: Record<string, string>;
      /** A blob's stream is read long after the answer starts: no silence bound on it. */
      streamed?: boolean;
    } = {},
  ): Promise<Response> {
    const url = new URL(path, this.access.endpoint);
    const boundMs = this.access.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    const send = async () => {
      const bounded =
        options.streamed || options.body instanceof ReadableStream ? undefined : AbortSignal.timeout(boundMs);
      const signals = [this.access.signal, bounded].filter((signal) => signal !== undefined);
      const { username, password } = await (this.auth ??= this.access.credentials());
      const headers: Record<string, string> = {
        authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
        ...(options.accept ? { accept: options.accept } : {}),
        ...options.headers,
      };
      try {
        return await fetch(url, {
          method,
          headers,
          body: options.body,
          signal: signals.length ? AbortSignal.any(signals) : undefined,
          ...(options.body instanceof ReadableStream ? { duplex: 'half' } : {}),
        });
      } catch (error) {
        if (this.access.signal?.aborted) throw new UserError('copy interrupted', { exitCode: ExitCode.interrupted });
        if (bounded?.aborted)
          throw copyError(`no answer from the registry ${this.host} within ${boundMs / 1000} s`, undefined, true);
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw copyError(
          `cannot reach the registry ${this.host}: ${cause?.code ?? cause?.message ?? String(error)}`,
          undefined,
          true,
        );
      }
    };
    const replayable = !(options.body instanceof ReadableStream);
    const delays = this.access.retryDelaysMs ?? COPY_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined;
      let failure: UserError | undefined;
      try {
        response = await send();
        // One fresh token after a refusal, for requests whose body can be sent again.
        if (response.status === 401 && replayable) {
          this.auth = undefined;
          response = await send();
        }
      } catch (error) {
        if (!isTransient(error)) throw error;
        failure = error;
      }
      const retry = failure !== undefined || (response !== undefined && TRANSIENT_STATUS.has(response.status));
      const delay = delays[attempt];
      // A streamed body cannot be sent again here; the copy retries the whole blob (image-copy.ts).
      if (!retry || !replayable || delay === undefined) {
        if (failure) throw failure;
        return response!;
      }
      await response?.body?.cancel().catch(() => undefined);
      await sleep(delay, undefined, { signal: this.access.signal }).catch(() => undefined);
      if (this.access.signal?.aborted) throw new UserError('copy interrupted', { exitCode: ExitCode.interrupted });
    }
  }

  private async expect(response: Response, statuses: number[], action: string): Promise<void> {
    if (statuses.includes(response.status)) return;
    const text = await response.text().catch(() => '');
    const password = await this.auth?.then((auth) => auth.password).catch(() => undefined);
    const detail = maskSecret(registryMessage(text) ?? `HTTP ${response.status}`, password);
    if (response.status === 401 || response.status === 403) {
      throw new UserError(`the registry ${this.host} refused the credentials ${action}: ${detail}`, {
        exitCode: ExitCode.pushFailed,
        hint: 'check that the identity may pull from the source and push to the target repository (ecr:BatchGetImage, ecr:PutImage, …)',
      });
    }
    throw copyError(`${action} at ${this.host} failed: ${detail}`, undefined, TRANSIENT_STATUS.has(response.status));
  }
}

function locationOf(response: Response): string {
  const location = response.headers.get('location');
  if (!location) throw copyError(`the registry answered an upload without a Location (HTTP ${response.status})`);
  return location;
}

/** The registry's own words: {"errors":[{"code","message"}]}. */
function registryMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
    const first = parsed.errors?.[0];
    return first ? `${first.code ?? 'ERROR'}: ${first.message ?? ''}`.trim() : undefined;
  } catch {
    return text.trim().split('\n')[0] || undefined;
  }
}

/** A copy's failure, exit 5; `transient` ones (5xx, 429, a lost connection) are worth another attempt. */
export const copyError = (message: string, hint?: string, transient = false) =>
  new UserError(message, {
    exitCode: ExitCode.pushFailed,
    hint: hint ?? (transient ? 'the registry is unreachable or failing; check the network and try again' : undefined),
    details: { transient },
  });

export const isTransient = (error: unknown): error is UserError =>
  error instanceof UserError && error.details?.transient === true;
