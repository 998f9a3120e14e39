// Writes a docker CLI context store in a temporary DOCKER_CONFIG, in the layout `docker context create` writes
// (test/unit/docker/docker-context.test.ts checks the two against each other when the docker CLI is installed).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll } from 'vitest';

export interface ContextSpec {
  host: string;
  skipTLSVerify?: boolean;
  /** PEM text of the files to store under contexts/tls/<id>/docker/. */
  tls?: { ca?: string; cert?: string; key?: string };
}

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** An empty docker config folder, removed after the test file. */
export async function makeDockerConfig(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tslambda-docker-config-'));
  made.push(dir);
  return dir;
}

const contextId = (name: string) => createHash('sha256').update(name).digest('hex');

export async function writeDockerContext(configDir: string, name: string, spec: ContextSpec): Promise<void> {
  const meta = join(configDir, 'contexts', 'meta', contextId(name));
  await mkdir(meta, { recursive: true });
  const endpoint = { Host: spec.host, SkipTLSVerify: spec.skipTLSVerify ?? false };
  await writeFile(
    join(meta, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: endpoint } }),
  );
  const files = Object.entries(spec.tls ?? {}).filter(([, pem]) => pem !== undefined);
  if (files.length === 0) return;
  const tls = join(configDir, 'contexts', 'tls', contextId(name), 'docker');
  await mkdir(tls, { recursive: true });
  for (const [file, pem] of files) await writeFile(join(tls, `${file}.pem`), pem ?? '', { mode: 0o600 });
}

/** `docker context use NAME`: the config file's currentContext. */
export async function useDockerContext(configDir: string, name: string): Promise<void> {
  await writeFile(join(configDir, 'config.json'), JSON.stringify({ auths: {}, currentContext: name }, null, '\t'));
}

/** The installed docker CLI, when there is one: the reference for how contexts are chosen. */
export async function dockerCli(): Promise<{
  run?: (args: string[], env: NodeJS.ProcessEnv) => Promise<string>;
  reason?: string;
}> {
  const run = async (args: string[], env: NodeJS.ProcessEnv) =>
    (await promisify(execFile)('docker', args, { env, timeout: 20_000 })).stdout.trim();
  try {
    await run(['--version'], process.env);
    return { run };
  } catch (error) {
    return { reason: `no docker CLI to compare with (${(error as Error).message.split('\n')[0]})` };
  }
}
