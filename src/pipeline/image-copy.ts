// Copies one single-platform image from a registry to another (or to another repository of the same one) over
// the distribution API, with no engine: blobs the target holds are skipped, blobs of the same registry are
// mounted, the rest are streamed; then the manifest's exact bytes, so the digest that lands is the source's.
import { ExitCode, UserError } from '../core/errors.js';
import type { Architecture } from '../config/types.js';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  COPY_RETRY_DELAYS_MS,
  copyError,
  isTransient,
  type FetchedManifest,
  IMAGE_MANIFEST_TYPES,
  INDEX_MANIFEST_TYPES,
  type RegistryClient,
} from '../docker/registry.js';
import { engineArchitecture } from '../docker/build.js';

export interface Descriptor {
  digest: string;
  size: number;
  mediaType?: string;
}

/** What a copy does with each blob: nothing (the target has it), mount (same registry), or stream it over. */
export type BlobAction = { digest: string; size: number; action: 'skip' | 'mount' | 'copy' };

export interface CopyPlan {
  blobs: BlobAction[];
  /** Bytes that travel: the blobs to copy. */
  bytes: number;
}

/** The blobs of an image manifest: its config first, then its layers. Refuses an index with one line. */
export function blobsOf(manifest: FetchedManifest, name: string): Descriptor[] {
  if ((INDEX_MANIFEST_TYPES as readonly string[]).includes(manifest.mediaType)) {
    throw new UserError(
      `${name} is an image index (a multi-platform image); Lambda runs a single-platform image manifest`,
      {
        exitCode: ExitCode.functionIncompatible,
        hint: "name the platform's own manifest by its digest (`docker buildx imagetools inspect` lists them), or build for one platform",
      },
    );
  }
  const parsed = JSON.parse(manifest.body.toString('utf8')) as {
    mediaType?: string;
    config?: Descriptor;
    layers?: Descriptor[];
  };
  const mediaType = manifest.mediaType || parsed.mediaType || '';
  if (!(IMAGE_MANIFEST_TYPES as readonly string[]).includes(mediaType) || !parsed.config || !parsed.layers)
    throw copyError(`${name} is a ${mediaType || 'manifest of unknown type'}, not an OCI or Docker v2 image manifest`);
  return [parsed.config, ...parsed.layers];
}

/** Pure: what to do with each blob, given which ones the target holds and whether both sides are one registry. */
export function planCopy(blobs: Descriptor[], present: ReadonlySet<string>, sameRegistry: boolean): CopyPlan {
  const seen = new Set<string>();
  const actions: BlobAction[] = [];
  for (const { digest, size } of blobs) {
    // A layer listed twice (an empty layer, a repeated file) travels once.
    if (seen.has(digest)) continue;
    seen.add(digest);
    const action = present.has(digest) ? 'skip' : sameRegistry ? 'mount' : 'copy';
    actions.push({ digest, size, action });
  }
  return {
    blobs: actions,
    bytes: actions.filter((blob) => blob.action === 'copy').reduce((sum, blob) => sum + blob.size, 0),
  };
}

/** The registry calls a copy makes (RegistryClient; tests give an in-memory one). */
export type CopyRegistry = Pick<
  RegistryClient,
  'host' | 'manifest' | 'has' | 'blob' | 'mount' | 'upload' | 'putManifest'
>;

export interface CopySide {
  client: CopyRegistry;
  repository: string;
}

export interface CopyRequest {
  source: CopySide & { reference: string };
  target: CopySide & { tag: string };
  /** The function's architecture: the image's config must say linux/<it>. */
  architecture: Architecture;
  update?: (text: string) => void;
  /** Pauses between attempts of a blob after a transient failure (default COPY_RETRY_DELAYS_MS). */
  retryDelaysMs?: number[];
}

export interface CopyOutcome {
  digest: string;
  mediaType: string;
  /** False when the target already held the manifest: nothing was written. */
  copied: boolean;
  blobs: { copied: number; mounted: number; skipped: number; bytes: number };
}

/** Copies the image and checks the target now serves the source's digest. */
export async function copyImage(request: CopyRequest): Promise<CopyOutcome> {
  const { source, target } = request;
  const sourceName = `${source.client.host}/${source.repository}${source.reference.startsWith('sha256:') ? '@' : ':'}${source.reference}`;
  const manifest = await source.client.manifest(source.repository, source.reference);
  if (!manifest)
    throw new UserError(`${sourceName} does not exist`, {
      exitCode: ExitCode.usage,
      hint: 'check the reference (repository, tag or digest) and the region or account it lives in',
    });
  const blobs = blobsOf(manifest, sourceName);
  const none = { copied: 0, mounted: 0, skipped: 0, bytes: 0 };
  await checkPlatform(source, blobs[0]!, request.architecture, sourceName);
  if (await target.client.has(target.repository, 'manifests', manifest.digest))
    return { digest: manifest.digest, mediaType: manifest.mediaType, copied: false, blobs: none };

  const present = new Set<string>();
  await Promise.all(
    blobs.map(async ({ digest }) => {
      if (await target.client.has(target.repository, 'blobs', digest)) present.add(digest);
    }),
  );
  const plan = planCopy(blobs, present, source.client.host === target.client.host);
  const counts = { ...none, bytes: plan.bytes };
  let done = 0;
  for (const blob of plan.blobs) {
    request.update?.(`${done}/${plan.blobs.length} blobs`);
    if (blob.action === 'skip') counts.skipped++;
    else if (blob.action === 'mount' && (await target.client.mount(target.repository, blob.digest, source.repository)))
      counts.mounted++;
    else {
      await transferBlob(request, blob.digest);
      counts.copied++;
    }
    done++;
  }
  const stored = await target.client.putManifest(target.repository, target.tag, manifest);
  await verifyLanded(target, manifest.digest, stored);
  return { digest: manifest.digest, mediaType: manifest.mediaType, copied: true, blobs: counts };
}

/** Streams one blob over; a transient failure starts it again from a fresh read of the source, a bounded number of times. */
async function transferBlob(request: CopyRequest, digest: string): Promise<void> {
  const { source, target } = request;
  const delays = request.retryDelaysMs ?? COPY_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await target.client.upload(target.repository, digest, await source.client.blob(source.repository, digest));
    } catch (error) {
      const delay = delays[attempt];
      if (!isTransient(error) || delay === undefined) throw error;
      request.update?.(`registry error, retrying ${digest.slice(7, 19)} in ${(delay / 1000).toFixed(1)}s`);
      await sleep(delay);
    }
  }
}

/** The image's config names its platform; Lambda runs linux/<the function's architecture> only. */
async function checkPlatform(
  source: CopySide,
  config: Descriptor,
  architecture: Architecture,
  name: string,
): Promise<void> {
  const body = await new Response(await source.client.blob(source.repository, config.digest)).json();
  const { os, architecture: found } = body as { os?: string; architecture?: string };
  const wanted = engineArchitecture(architecture);
  if (os !== 'linux' || found !== wanted)
    throw new UserError(`${name} is ${os ?? '?'}/${found ?? '?'}, but the function runs on linux/${wanted}`, {
      exitCode: ExitCode.functionIncompatible,
      hint: `deploy an image built for linux/${wanted}, or a function of that architecture`,
    });
}

/** End to end: the registry reports the source's digest for what it stored, and serves it by that digest. */
async function verifyLanded(target: CopySide & { tag: string }, digest: string, stored?: string): Promise<void> {
  const where = `${target.client.host}/${target.repository}`;
  if (stored && stored !== digest) throw copyError(`${where} stored the manifest as ${stored}, not ${digest}`);
  const served = await target.client.manifest(target.repository, digest);
  if (served?.digest !== digest) throw copyError(`${where} does not serve ${digest} after the copy`);
}
