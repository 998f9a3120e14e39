// The copy planner and the copy itself against an in-memory registry: what travels, what is skipped or mounted,
// the refusals (index, platform), and the end-to-end digest check.
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/core/errors.js';
import { type FetchedManifest, sha256Digest } from '../../../src/docker/registry.js';
import { blobsOf, type CopyRegistry, copyImage, planCopy } from '../../../src/pipeline/image-copy.js';
import { ecrRegistryOf, parseImageRef } from '../../../src/pipeline/image-ref.js';
import { runningImage } from '../../../src/pipeline/promote.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('planCopy', () => {
  const blobs = [
    { digest: d(1), size: 10 },
    { digest: d(2), size: 200 },
    { digest: d(3), size: 3000 },
    { digest: d(2), size: 200 },
  ];

  it('skips blobs the target holds and copies the others once, counting the bytes that travel', () => {
    expect(planCopy(blobs, new Set([d(2)]), false)).toEqual({
      blobs: [
        { digest: d(1), size: 10, action: 'copy' },
        { digest: d(2), size: 200, action: 'skip' },
        { digest: d(3), size: 3000, action: 'copy' },
      ],
      bytes: 3010,
    });
  });

  it('mounts within one registry: nothing travels', () => {
    const plan = planCopy(blobs, new Set([d(1)]), true);
    expect(plan.blobs.map((blob) => blob.action)).toEqual(['skip', 'mount', 'mount']);
    expect(plan.bytes).toBe(0);
  });
});

/** A registry in memory: repositories of manifests (by digest and tag) and blobs. */
function memoryRegistry(host: string, behaviour: { storeAs?: string; mounts?: boolean } = {}) {
  const manifests = new Map<string, FetchedManifest>();
  const blobs = new Map<string, Uint8Array>();
  const calls: string[] = [];
  const key = (repository: string, ref: string) => `${repository}/${ref}`;
  const client: CopyRegistry = {
    host,
    async manifest(repository, reference) {
      calls.push(`GET manifest ${repository} ${reference}`);
      return manifests.get(key(repository, reference));
    },
    async has(repository, kind, digest) {
      calls.push(`HEAD ${kind} ${repository} ${digest}`);
      return (kind === 'manifests' ? manifests : blobs).has(key(repository, digest));
    },
    async blob(repository, digest) {
      calls.push(`GET blob ${repository} ${digest}`);
      const bytes = blobs.get(key(repository, digest));
      if (!bytes) throw new Error(`no blob ${digest}`);
      return new Blob([new Uint8Array(bytes)]).stream();
    },
    async mount(repository, digest, from) {
      calls.push(`MOUNT ${repository} ${digest} from ${from}`);
      const bytes = blobs.get(key(from, digest));
      if (!behaviour.mounts || !bytes) return false;
      blobs.set(key(repository, digest), bytes);
      return true;
    },
    async upload(repository, digest, body) {
      calls.push(`UPLOAD ${repository} ${digest}`);
      blobs.set(key(repository, digest), new Uint8Array(await new Response(body).arrayBuffer()));
    },
    async putManifest(repository, reference, manifest) {
      calls.push(`PUT manifest ${repository} ${reference}`);
      manifests.set(key(repository, reference), manifest);
      manifests.set(key(repository, manifest.digest), manifest);
      return behaviour.storeAs ?? manifest.digest;
    },
  };
  return { client, manifests, blobs, calls, key };
}

/** Writes a one-layer image of `architecture` into `repository`; returns its manifest. */
function seedImage(registry: ReturnType<typeof memoryRegistry>, repository: string, architecture = 'amd64') {
  const config = new TextEncoder().encode(JSON.stringify({ os: 'linux', architecture }));
  const layer = new TextEncoder().encode('layer bytes');
  registry.blobs.set(registry.key(repository, sha256Digest(config)), config);
  registry.blobs.set(registry.key(repository, sha256Digest(layer)), layer);
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { digest: sha256Digest(config), size: config.length },
      layers: [{ digest: sha256Digest(layer), size: layer.length }],
    }),
  );
  const manifest = { mediaType: OCI_MANIFEST, digest: sha256Digest(body), body };
  registry.manifests.set(registry.key(repository, manifest.digest), manifest);
  registry.manifests.set(registry.key(repository, 'v1'), manifest);
  return manifest;
}

describe('copyImage', () => {
  it('copies blobs and the exact manifest bytes; the target serves the source digest', async () => {
    const source = memoryRegistry('src.example:5000');
    const target = memoryRegistry('dst.example:5000');
    const manifest = seedImage(source, 'app');
    const outcome = await copyImage({
      source: { client: source.client, repository: 'app', reference: manifest.digest },
      target: { client: target.client, repository: 'app', tag: 'v1' },
      architecture: 'x86_64',
    });
    expect(outcome).toMatchObject({ digest: manifest.digest, copied: true, blobs: { copied: 2, mounted: 0 } });
    expect(target.manifests.get(target.key('app', manifest.digest))!.body.equals(manifest.body)).toBe(true);
    expect(target.calls.filter((call) => call.startsWith('UPLOAD'))).toHaveLength(2);
  });

  it('writes nothing when the target already holds the manifest', async () => {
    const source = memoryRegistry('src.example');
    const target = memoryRegistry('dst.example');
    const manifest = seedImage(source, 'app');
    seedImage(target, 'app');
    const outcome = await copyImage({
      source: { client: source.client, repository: 'app', reference: 'v1' },
      target: { client: target.client, repository: 'app', tag: 'v1' },
      architecture: 'x86_64',
    });
    expect(outcome).toMatchObject({ digest: manifest.digest, copied: false });
    expect(target.calls.filter((call) => /^(UPLOAD|PUT|MOUNT)/.test(call))).toEqual([]);
  });

  it('mounts within one registry instead of uploading', async () => {
    const registry = memoryRegistry('one.example', { mounts: true });
    const manifest = seedImage(registry, 'staging');
    const outcome = await copyImage({
      source: { client: registry.client, repository: 'staging', reference: manifest.digest },
      target: { client: registry.client, repository: 'prod', tag: 'v1' },
      architecture: 'x86_64',
    });
    expect(outcome.blobs).toMatchObject({ mounted: 2, copied: 0, bytes: 0 });
    expect(registry.calls.filter((call) => call.startsWith('UPLOAD'))).toEqual([]);
  });

  it('fails when the registry stores the manifest under another digest', async () => {
    const source = memoryRegistry('src.example');
    const target = memoryRegistry('dst.example', { storeAs: d(9) });
    const manifest = seedImage(source, 'app');
    const copy = copyImage({
      source: { client: source.client, repository: 'app', reference: manifest.digest },
      target: { client: target.client, repository: 'app', tag: 'v1' },
      architecture: 'x86_64',
    });
    await expect(copy).rejects.toMatchObject({
      exitCode: ExitCode.pushFailed,
      message: `dst.example/app stored the manifest as ${d(9)}, not ${manifest.digest}`,
    });
  });

  it('refuses an image of another architecture before writing anything', async () => {
    const source = memoryRegistry('src.example');
    const target = memoryRegistry('dst.example');
    seedImage(source, 'app', 'arm64');
    const copy = copyImage({
      source: { client: source.client, repository: 'app', reference: 'v1' },
      target: { client: target.client, repository: 'app', tag: 'v1' },
      architecture: 'x86_64',
    });
    await expect(copy).rejects.toMatchObject({ exitCode: ExitCode.functionIncompatible });
    expect(target.calls).toEqual([]);
  });
});

describe('blobsOf', () => {
  it('refuses an image index in one line: Lambda runs one platform', () => {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] }));
    const index = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha256Digest(body), body };
    expect(() => blobsOf(index, 'r.example/app:v1')).toThrow(
      'r.example/app:v1 is an image index (a multi-platform image); Lambda runs a single-platform image manifest',
    );
  });
});

describe('parseImageRef', () => {
  it('tells registry references from local images', () => {
    const digest = d(4);
    expect(parseImageRef(`127.0.0.1:5000/team/app@${digest}`)).toMatchObject({
      kind: 'remote',
      host: '127.0.0.1:5000',
      repository: 'team/app',
      digest,
    });
    expect(parseImageRef('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2')).toMatchObject({
      kind: 'remote',
      repository: 'app',
      tag: 'v2',
    });
    expect(parseImageRef('r.example/app')).toMatchObject({ tag: 'latest' });
    expect(parseImageRef('my-app:dev')).toEqual({ kind: 'local', name: 'my-app:dev' });
    expect(parseImageRef('team/app')).toEqual({ kind: 'local', name: 'team/app' });
    expect(() => parseImageRef('r.example/app@sha256:abc')).toThrow('"sha256:abc" is not a sha256 digest');
  });

  it('reads the account and region of an ECR host', () => {
    expect(ecrRegistryOf('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({
      accountId: '123456789012',
      region: 'eu-west-1',
    });
    expect(ecrRegistryOf('127.0.0.1:5000')).toBeUndefined();
  });
});

describe('runningImage', () => {
  const fn = { name: 'api', arn: 'arn:aws:lambda:us-east-1:1:function:api', packageType: 'Image' as const };
  it("is Lambda's resolved digest, else the digest reference, else the repository with CodeSha256", () => {
    const hex = '7'.repeat(64);
    expect(
      runningImage(
        { ...fn, architecture: 'x86_64', imageUri: 'r/app:v1', resolvedImageUri: `r/app@sha256:${hex}` },
        's',
      ),
    ).toBe(`r/app@sha256:${hex}`);
    expect(runningImage({ ...fn, architecture: 'x86_64', imageUri: 'r/app:v1', codeSha256: hex }, 's')).toBe(
      `r/app@sha256:${hex}`,
    );
    expect(() => runningImage({ ...fn, architecture: 'x86_64', imageUri: 'r/app:v1' }, 'staging')).toThrow(
      'cannot tell which digest api runs in target staging',
    );
  });
});
