// A registry-to-registry copy (deploy --image, promote) with a fault proxy in front of the target registry: one
// failure is retried and the copy lands; a failing registry ends the copy within its bounds, exit 5, one line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../src/core/errors.js';
import { RegistryClient, sha256Digest } from '../../src/docker/registry.js';
import { copyImage } from '../../src/pipeline/image-copy.js';
import { type Fault, type FaultProxy, startFaultProxy } from '../support/proxy.js';
import { REGISTRY_USER, startRegistry, type TestRegistry } from '../support/registry.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
let source: TestRegistry;
let target: TestRegistry;
let digest: string;

const client = (registry: TestRegistry, host = registry.host) =>
  new RegistryClient({
    endpoint: `http://${host}`,
    credentials: async () => ({ username: REGISTRY_USER, password: registry.password }),
    retryDelaysMs: [100, 200, 400],
    requestTimeoutMs: 1000,
  });

/** Writes a small single-platform image (config, two layers, manifest) straight through the registry API. */
async function seedImage(registry: RegistryClient, repository: string): Promise<string> {
  const config = new TextEncoder().encode(JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: {} }));
  const layers = [new Uint8Array(200_000).fill(7), new TextEncoder().encode(`layer ${Date.now()}`)];
  for (const bytes of [config, ...layers])
    await registry.upload(repository, sha256Digest(bytes), new Blob([bytes]).stream());
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256Digest(config),
        size: config.length,
      },
      layers: layers.map((bytes) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: sha256Digest(bytes),
        size: bytes.length,
      })),
    }),
  );
  return (await registry.putManifest(repository, 'v1', { mediaType: OCI_MANIFEST, digest: sha256Digest(body), body }))!;
}

async function copyThrough(fault: Fault, repository: string): Promise<{ error?: UserError; proxy: FaultProxy }> {
  const [host, port] = target.host.split(':');
  const proxy = await startFaultProxy({ host: host!, port: Number(port) }, fault);
  try {
    await copyImage({
      source: { client: client(source), repository: 'app', reference: digest },
      target: { client: client(target, proxy.host), repository, tag: 'v1' },
      architecture: 'x86_64',
      retryDelaysMs: [100, 200, 400],
    });
    return { proxy };
  } catch (error) {
    return { error: error as UserError, proxy };
  } finally {
    await proxy.close();
  }
}

describe('a copy to a faulty registry', () => {
  beforeAll(async () => {
    [source, target] = await Promise.all([startRegistry(), startRegistry()]);
    digest = await seedImage(client(source), 'app');
  });
  afterAll(async () => {
    await source?.stop();
    await target?.stop();
  });

  it('one 500 during the copy is retried, and the source digest lands', async () => {
    const { error, proxy } = await copyThrough({ kind: 'status', status: 500, from: 6, once: true }, 'once');
    expect(error).toBeUndefined();
    expect(proxy.faulted).toBe(1);
    expect((await target.manifest('once', digest)).digest).toBe(digest);
  });

  it('a registry that answers 503 to everything: 4 attempts, then exit 5 naming the registry', async () => {
    const { error, proxy } = await copyThrough({ kind: 'status', status: 503, from: 1 }, 'down');
    expect(error).toBeInstanceOf(UserError);
    expect(error!.exitCode).toBe(ExitCode.pushFailed);
    expect(error!.message).toBe(`checking manifest ${digest} in down at ${proxy.host} failed: HTTP 503`);
    expect(proxy.requests).toBe(4);
  });

  it('a registry that resets every connection: exit 5, "cannot reach the registry"', async () => {
    const { error, proxy } = await copyThrough({ kind: 'reset', from: 1 }, 'reset');
    expect(error?.exitCode).toBe(ExitCode.pushFailed);
    expect(error?.message).toMatch(new RegExp(`^cannot reach the registry ${proxy.host}: `));
    expect(proxy.requests).toBe(4);
  });

  it('a registry that accepts and never answers: bounded by the request timeout, exit 5', async () => {
    const started = performance.now();
    const { error } = await copyThrough({ kind: 'stall', from: 1 }, 'stall');
    expect(error?.exitCode).toBe(ExitCode.pushFailed);
    expect(error?.message).toMatch(/^no answer from the registry 127\.0\.0\.1:\d+ within 1 s$/);
    // 4 attempts of 1 s and the pauses between them, with room for a loaded machine.
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});
