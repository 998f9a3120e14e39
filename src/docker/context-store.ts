// Reads the docker CLI's context store: the current context of its config file, the contexts that exist, and one
// context's engine endpoint with its TLS material (contexts/meta/<sha256(name)>/meta.json, contexts/tls/<sha256(name)>/).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, UserError } from '../core/errors.js';

/** The context the docker CLI builds from DOCKER_HOST (or the default socket); it is never in the store. */
export const DEFAULT_CONTEXT = 'default';

/** A context's Docker endpoint as the store holds it. */
export interface StoredContext {
  name: string;
  /** The engine address: unix://…, tcp://…, ssh://… */
  host: string;
  skipTLSVerify: boolean;
  /** Each file is present only when the store holds it (contexts/tls/<id>/docker/{ca,cert,key}.pem). */
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /** Where the TLS files are looked for, for messages. */
  tlsDir: string;
}

/** $DOCKER_CONFIG, else ~/.docker, as the docker CLI reads it. */
export function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG?.trim() || join(env.HOME?.trim() || homedir(), '.docker');
}

/** The store names a context's folders by the SHA-256 of its name. */
const contextId = (name: string) => createHash('sha256').update(name).digest('hex');

function readIfPresent(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`cannot read ${path}: ${(error as Error).message}`, { exitCode: ExitCode.dockerUnreachable });
  }
}

function parseJson(path: string, text: Buffer): unknown {
  try {
    return JSON.parse(text.toString('utf8'));
  } catch (error) {
    throw new UserError(`${path} is not valid JSON: ${(error as Error).message}`, {
      hint: 'fix or remove the file (the docker CLI writes it)',
    });
  }
}

/** `currentContext` of the docker config file, with the file's path for messages. */
export function currentContextName(configDir: string): { name: string; file: string } | undefined {
  const file = join(configDir, 'config.json');
  const text = readIfPresent(file);
  if (!text) return undefined;
  const config = parseJson(file, text) as { currentContext?: unknown } | null;
  const name = config?.currentContext;
  return typeof name === 'string' && name.trim() ? { name: name.trim(), file } : undefined;
}

interface MetaFile {
  Name?: unknown;
  Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } };
}

function readMeta(path: string): MetaFile | undefined {
  const text = readIfPresent(path);
  return text ? ((parseJson(path, text) ?? {}) as MetaFile) : undefined;
}

/** The names of the contexts that exist, "default" included, sorted; a folder the CLI did not write is left out. */
export function contextNames(configDir: string): string[] {
  const metaRoot = join(configDir, 'contexts', 'meta');
  let ids: string[];
  try {
    ids = readdirSync(metaRoot);
  } catch {
    ids = [];
  }
  const names = new Set([DEFAULT_CONTEXT]);
  for (const id of ids) {
    try {
      const name = readMeta(join(metaRoot, id, 'meta.json'))?.Name;
      if (typeof name === 'string') names.add(name);
    } catch {
      // A broken context is reported when it is chosen, not when others are listed.
    }
  }
  return [...names].sort();
}

/** One context of the store, or undefined when no context has that name. */
export function readContext(configDir: string, name: string): StoredContext | undefined {
  const id = contextId(name);
  const metaPath = join(configDir, 'contexts', 'meta', id, 'meta.json');
  const meta = readMeta(metaPath);
  if (!meta) return undefined;
  const endpoint = meta.Endpoints?.docker;
  if (typeof endpoint?.Host !== 'string' || !endpoint.Host.trim()) {
    throw new UserError(`Docker context "${name}" has no Docker endpoint (${metaPath})`, {
      exitCode: ExitCode.dockerUnreachable,
      hint: `give it one: docker context update ${name} --docker host=unix:///path/to/docker.sock`,
    });
  }
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  const tls = {
    ca: readIfPresent(join(tlsDir, 'ca.pem')),
    cert: readIfPresent(join(tlsDir, 'cert.pem')),
    key: readIfPresent(join(tlsDir, 'key.pem')),
  };
  if (Boolean(tls.cert) !== Boolean(tls.key)) {
    const missing = tls.cert ? 'key.pem' : 'cert.pem';
    throw new UserError(`Docker context "${name}" has a client certificate without its pair: ${missing} is missing`, {
      exitCode: ExitCode.dockerUnreachable,
      hint: `put ${missing} in ${tlsDir}, or recreate the context with docker context create`,
    });
  }
  return { name, host: endpoint.Host.trim(), skipTLSVerify: endpoint.SkipTLSVerify === true, tls, tlsDir };
}
