// Decides which Docker engine to talk to, as the docker CLI does: a context named by tslambda's flag or config, else
// DOCKER_HOST, else DOCKER_CONTEXT, else the docker config's currentContext, else the default socket.
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import { ExitCode, UserError } from '../core/errors.js';
import { suggestKey } from '../core/suggest.js';
import {
  contextNames,
  currentContextName,
  DEFAULT_CONTEXT,
  dockerConfigDir,
  readContext,
  type StoredContext,
} from './context-store.js';
import { type HostKeyCheck, hostKeyCheck, knownHostsFiles } from './known-hosts.js';
import { SshDialAgent } from './ssh-transport.js';

const DEFAULT_SOCKET = '/var/run/docker.sock';

/**
 * Options for dockerode; `agent` (passed through to docker-modem) carries what it has no option for: TLS settings,
 * or the ssh transport.
 */
export type EngineOptions = DockerOptions & { agent?: HttpsAgent | SshDialAgent };

export interface Endpoint {
  options: EngineOptions;
  /** Where we tried, for messages: "unix:///var/run/docker.sock", "tcp://10.0.0.2:2376 (TLS)". */
  describe: string;
  /** ssh only: the known_hosts check, which knows why a host was refused. */
  hostKey?: HostKeyCheck;
}

export interface EngineAddress extends Endpoint {
  /** The context whose engine this is; "default" for DOCKER_HOST or the default socket. */
  context: string;
  /** What chose that context, for messages: "--docker-context", "DOCKER_CONTEXT", "currentContext in …". */
  chosenBy: string;
  /** The docker config folder whose context store was read. */
  configDir: string;
}

/** A context named by tslambda itself (--docker-context, or dockerContext in the config file). */
export interface ContextChoice {
  name: string;
  chosenBy: string;
}

type ParsedHost =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'ssh'; url: URL }
  | { kind: 'tcp'; hostname: string; port: string; https: boolean };

/** Splits an engine address by scheme; `owner` names where it came from in the one-line error. */
function parseHost(host: string, owner: string): ParsedHost {
  if (host.startsWith('unix://')) return { kind: 'unix', socketPath: host.slice('unix://'.length) || DEFAULT_SOCKET };
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new UserError(`${owner} is not a valid address: ${JSON.stringify(host)}`, {
      exitCode: ExitCode.dockerUnreachable,
      hint: 'use unix:///path/to/docker.sock, tcp://host:2375, tcp://host:2376 with TLS, or ssh://user@host',
    });
  }
  if (url.protocol === 'ssh:') return { kind: 'ssh', url };
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`${owner} has an unsupported scheme: ${url.protocol}`, {
      exitCode: ExitCode.dockerUnreachable,
      hint: 'use unix://, tcp:// or ssh://',
    });
  }
  return { kind: 'tcp', hostname: url.hostname, port: url.port, https: url.protocol === 'https:' };
}

/** Host key types as known_hosts writes them → the handshake algorithms that present such a key. */
const HOST_KEY_ALGORITHMS: Record<string, ServerHostKeyAlgorithm[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** ssh2's host key algorithms with those of the host's known keys first, so the server presents a key we can check. */
function hostKeyOrder(knownTypes: string[]): ServerHostKeyAlgorithm[] {
  const all = Object.values(HOST_KEY_ALGORITHMS).flat();
  const preferred = knownTypes.flatMap((type) => HOST_KEY_ALGORITHMS[type] ?? []);
  return [...preferred, ...all.filter((algorithm) => !preferred.includes(algorithm))];
}

function sshEndpoint(url: URL, env: NodeJS.ProcessEnv): Endpoint {
  const port = Number(url.port || 22);
  const files = knownHostsFiles(env);
  const hostKey = hostKeyCheck(files, url.hostname, port, `${files[0]} or ${files[2]}`);
  // ssh2 reads no keys of its own: it authenticates through the user's ssh agent, as `docker` does through `ssh`.
  const agent = new SshDialAgent(
    { host: url.hostname, port, username: url.username || undefined, agentSocket: env.SSH_AUTH_SOCK || undefined },
    {
      hostVerifier: (key: Buffer) => hostKey.verify(key),
      algorithms: { serverHostKey: hostKeyOrder(hostKey.knownTypes) },
    },
  );
  // Plain HTTP through that agent: docker-modem's own ssh protocol would parse an ssh: URL (see ssh-transport.ts).
  const options: EngineOptions = { protocol: 'http', host: url.hostname, port, agent };
  return { options, describe: `ssh://${url.username ? `${url.username}@` : ''}${url.host}`, hostKey };
}

const unixEndpoint = (socketPath: string): Endpoint => ({
  options: { socketPath },
  describe: `unix://${socketPath}`,
});

/** The engine DOCKER_HOST names, with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH (the docker CLI's default context). */
export function engineAddress(env: NodeJS.ProcessEnv): Endpoint {
  const host = env.DOCKER_HOST?.trim();
  if (!host) return unixEndpoint(DEFAULT_SOCKET);
  const parsed = parseHost(host, 'DOCKER_HOST');
  if (parsed.kind === 'unix') return unixEndpoint(parsed.socketPath);
  if (parsed.kind === 'ssh') return sshEndpoint(parsed.url, env);
  const verify = env.DOCKER_TLS_VERIFY;
  const port = parsed.port || (verify === '1' ? '2376' : '2375');
  const tls = parsed.https || (verify !== undefined && verify !== '' && verify !== '0') || port === '2376';
  const options: EngineOptions = { host: parsed.hostname, port: Number(port), protocol: tls ? 'https' : 'http' };
  if (tls && env.DOCKER_CERT_PATH) {
    try {
      options.ca = readFileSync(join(env.DOCKER_CERT_PATH, 'ca.pem'));
      options.cert = readFileSync(join(env.DOCKER_CERT_PATH, 'cert.pem'));
      options.key = readFileSync(join(env.DOCKER_CERT_PATH, 'key.pem'));
    } catch (error) {
      throw new UserError(
        `cannot read TLS certificates from DOCKER_CERT_PATH=${env.DOCKER_CERT_PATH}: ${(error as Error).message}`,
        { exitCode: ExitCode.dockerUnreachable, hint: 'DOCKER_CERT_PATH must hold ca.pem, cert.pem and key.pem' },
      );
    }
  }
  return { options, describe: `tcp://${parsed.hostname}:${port}${tls ? ' (TLS)' : ''}` };
}

/** A stored context's engine: TLS when the store holds TLS files for it or skips verification, as the docker CLI does. */
export function contextEndpoint(context: StoredContext, env: NodeJS.ProcessEnv): Endpoint {
  const parsed = parseHost(context.host, `the endpoint of Docker context "${context.name}"`);
  if (parsed.kind === 'unix') return unixEndpoint(parsed.socketPath);
  if (parsed.kind === 'ssh') return sshEndpoint(parsed.url, env);
  const { ca, cert, key } = context.tls;
  const tls = parsed.https || context.skipTLSVerify || Boolean(ca ?? cert);
  const port = parsed.port || (tls ? '2376' : '2375');
  const options: EngineOptions = { host: parsed.hostname, port: Number(port), protocol: tls ? 'https' : 'http' };
  if (tls) Object.assign(options, { ca, cert, key });
  if (tls && context.skipTLSVerify) options.agent = new HttpsAgent({ rejectUnauthorized: false, ca, cert, key });
  const note = tls ? (context.skipTLSVerify ? ' (TLS, unverified)' : ' (TLS)') : '';
  return { options, describe: `tcp://${parsed.hostname}:${port}${note}` };
}

/** Which context names the engine, and what chose it; the docker CLI's order, with tslambda's own choice first. */
function chooseContext(env: NodeJS.ProcessEnv, configDir: string, explicit?: ContextChoice): ContextChoice {
  if (explicit) return explicit;
  if (env.DOCKER_HOST?.trim()) return { name: DEFAULT_CONTEXT, chosenBy: 'DOCKER_HOST' };
  const fromEnv = env.DOCKER_CONTEXT?.trim();
  if (fromEnv) return { name: fromEnv, chosenBy: 'DOCKER_CONTEXT' };
  const current = currentContextName(configDir);
  if (current) return { name: current.name, chosenBy: `currentContext in ${current.file}` };
  return { name: DEFAULT_CONTEXT, chosenBy: 'no context chosen' };
}

function unknownContext(choice: ContextChoice, configDir: string): UserError {
  const names = contextNames(configDir);
  const guess = suggestKey(choice.name, names);
  return new UserError(
    `Docker context "${choice.name}" does not exist${guess ? `; did you mean "${guess}"?` : ''} (contexts: ${names.join(', ')})`,
    {
      hint: `${choice.chosenBy} names it; \`docker context ls\` lists the contexts of ${configDir}`,
      details: { dockerContext: choice.name, contexts: names },
    },
  );
}

/** The engine to connect to; `warn` hears when tslambda's own context choice overrides DOCKER_HOST. */
export function resolveEngine(
  env: NodeJS.ProcessEnv,
  explicit?: ContextChoice,
  warn: (line: string) => void = () => {},
): EngineAddress {
  const configDir = dockerConfigDir(env);
  const choice = chooseContext(env, configDir, explicit);
  if (choice.name === DEFAULT_CONTEXT)
    return { ...engineAddress(env), context: DEFAULT_CONTEXT, chosenBy: choice.chosenBy, configDir };
  if (explicit && env.DOCKER_HOST?.trim())
    warn(`DOCKER_HOST is ignored: ${explicit.chosenBy} chooses the Docker context "${explicit.name}"`);
  const stored = readContext(configDir, choice.name);
  if (!stored) throw unknownContext(choice, configDir);
  return { ...contextEndpoint(stored, env), context: choice.name, chosenBy: choice.chosenBy, configDir };
}
