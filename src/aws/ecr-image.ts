// Reads an image back from its ECR registry by digest (the registry's HTTP API, with an ECR token) and checks it is
// what Lambda takes: one image manifest (not an index) of the expected architecture. Used after remote builds,
// where no local engine saw the push.
import type { ECRClient } from '@aws-sdk/client-ecr';
import { ExitCode, UserError } from '../core/errors.js';
import { getRegistryCredentials } from './ecr.js';

const IMAGE_MANIFESTS = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];
const INDEXES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

export interface VerifiedImage {
  digest: string;
  mediaType: string;
  layers: number;
  architecture: string;
}

/** The registry's scheme: HTTPS, except a loopback registry, which the Docker engine also reaches over HTTP. */
const registryUrl = (host: string) =>
  /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host) ? `http://${host}` : `https://${host}`;

/** `repositoryUri` is <registry host>/<name>; `architecture` is Lambda's name (x86_64, arm64). */
export async function verifyImage(
  ecr: ECRClient,
  repository: { uri: string; registryId: string },
  digest: string,
  architecture: 'x86_64' | 'arm64',
  signal: AbortSignal,
): Promise<VerifiedImage> {
  const credentials = await getRegistryCredentials(ecr, repository.registryId);
  const slash = repository.uri.indexOf('/');
  const base = `${registryUrl(repository.uri.slice(0, slash))}/v2/${repository.uri.slice(slash + 1)}`;
  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const fail = (why: string) =>
    new UserError(`the remote build reported ${digest}, but ${repository.uri} ${why}`, {
      exitCode: ExitCode.buildFailed,
      details: { digest, repository: repository.uri },
    });
  const get = async (path: string, accept: string[]) => {
    const response = await fetch(`${base}/${path}`, { headers: { accept: accept.join(', '), authorization }, signal });
    if (!response.ok) throw fail(`answered ${response.status} for ${path}`);
    return response;
  };
  const manifestResponse = await get(`manifests/${digest}`, [...IMAGE_MANIFESTS, ...INDEXES]);
  const mediaType = (manifestResponse.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const body = Buffer.from(await manifestResponse.arrayBuffer());
  const served = `sha256:${(await import('node:crypto')).createHash('sha256').update(body).digest('hex')}`;
  if (served !== digest) throw fail(`serves a manifest whose digest is ${served}`);
  if (!IMAGE_MANIFESTS.includes(mediaType))
    throw fail(
      `holds ${mediaType || 'an unknown type'} there, not a single-platform image manifest (Lambda takes no index)`,
    );
  const manifest = JSON.parse(body.toString('utf8')) as { config?: { digest?: string }; layers?: unknown[] };
  const config = (await (await get(`blobs/${manifest.config?.digest}`, ['application/json', '*/*'])).json()) as {
    architecture?: string;
    os?: string;
  };
  const expected = architecture === 'arm64' ? 'arm64' : 'amd64';
  if (config.architecture !== expected || config.os !== 'linux')
    throw fail(`holds a ${config.os}/${config.architecture} image, not linux/${expected}`);
  return { digest, mediaType, layers: manifest.layers?.length ?? 0, architecture: config.architecture };
}
