// Runs Debian's real docker-registry on loopback with htpasswd auth for tests, and reads manifests back from it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { freePort } from './net.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';
export const REGISTRY_USER = 'AWS';

export interface TestRegistry {
  /** 127.0.0.1:<port>: the host part of image references. */
  host: string;
  url: string;
  password: string;
  /** Reads a manifest as the registry stores it (OCI and Docker v2 accepted). */
  manifest(
    repository: string,
    reference: string,
  ): Promise<{ status: number; mediaType?: string; digest?: string; body: string }>;
  /** Log lines the registry printed, for diagnosing a failed test. */
  log(): string;
  stop(): Promise<void>;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

async function waitUntilServing(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(`${url}/v2/`);
      // 401 is the answer of a registry that is up and asks for credentials.
      if (response.status === 401 || response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`docker-registry did not answer on ${url} within 15s:\n${log()}`);
}

export async function startRegistry(options: { password?: string } = {}): Promise<TestRegistry> {
  const password = options.password ?? `pw-${crypto.randomUUID()}`;
  const dir = await mkdtemp(join(tmpdir(), 'tslambda-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const { stdout: htpasswd } = await promisify(execFile)('htpasswd', ['-Bbn', REGISTRY_USER, password]);
  await writeFile(join(dir, 'htpasswd'), htpasswd, { mode: 0o600 });
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    'http:',
    `  addr: ${host}`,
    `  secret: ${crypto.randomUUID()}`,
    'auth:',
    '  htpasswd:',
    '    realm: tslambda-test',
    `    path: ${join(dir, 'htpasswd')}`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'config.yml'), config);

  const child = spawn(REGISTRY_BINARY, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://${host}`;
  try {
    await waitUntilServing(url, child, () => output);
  } catch (error) {
    child.kill();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const authorization = `Basic ${Buffer.from(`${REGISTRY_USER}:${password}`).toString('base64')}`;

  return {
    host,
    url,
    password,
    async manifest(repository, reference) {
      const response = await fetch(`${url}/v2/${repository}/manifests/${reference}`, {
        headers: { accept: MANIFEST_TYPES.join(', '), authorization },
      });
      const body = await response.text();
      return {
        status: response.status,
        mediaType: response.headers.get('content-type') ?? undefined,
        digest: response.headers.get('docker-content-digest') ?? undefined,
        body,
      };
    },
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
