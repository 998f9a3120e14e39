// Connects to the Docker engine named by DOCKER_HOST (unix, tcp, tcp+TLS, ssh) and proves it answers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { DockerOptions } from 'dockerode';
import { ExitCode, UserError } from '../core/errors.js';

const DEFAULT_SOCKET = '/var/run/docker.sock';
const PING_TIMEOUT_MS = 5000;

export interface EngineAddress {
  options: DockerOptions;
  /** Where we tried, for messages: "unix:///var/run/docker.sock", "tcp://10.0.0.2:2376 (TLS)". */
  describe: string;
}

/** Reads DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH the way the docker CLI does. */
export function engineAddress(env: NodeJS.ProcessEnv): EngineAddress {
  const host = env.DOCKER_HOST?.trim();
  if (!host) return { options: { socketPath: DEFAULT_SOCKET }, describe: `unix://${DEFAULT_SOCKET}` };
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length) || DEFAULT_SOCKET;
    return { options: { socketPath }, describe: `unix://${socketPath}` };
  }
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new UserError(`DOCKER_HOST is not a valid address: ${JSON.stringify(host)}`, {
      exitCode: ExitCode.dockerUnreachable,
      hint: 'use unix:///path/to/docker.sock, tcp://host:2375, tcp://host:2376 with DOCKER_TLS_VERIFY=1, or ssh://user@host',
    });
  }
  if (url.protocol === 'ssh:') {
    return {
      options: {
        protocol: 'ssh',
        host: url.hostname,
        port: Number(url.port || 22),
        username: url.username || undefined,
      },
      describe: `ssh://${url.username ? `${url.username}@` : ''}${url.host}`,
    };
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`DOCKER_HOST has an unsupported scheme: ${url.protocol}`, {
      exitCode: ExitCode.dockerUnreachable,
      hint: 'use unix://, tcp:// or ssh://',
    });
  }
  const port = url.port || (env.DOCKER_TLS_VERIFY === '1' ? '2376' : '2375');
  const tls =
    url.protocol === 'https:' ||
    (env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0') ||
    port === '2376';
  const options: DockerOptions = { host: url.hostname, port: Number(port), protocol: tls ? 'https' : 'http' };
  if (tls && env.DOCKER_CERT_PATH) {
    try {
      options.ca = readFileSync(join(env.DOCKER_CERT_PATH, 'ca.pem'));
      options.cert = readFileSync(join(env.DOCKER_CERT_PATH, 'cert.pem'));
      options.key = readFileSync(join(env.DOCKER_CERT_PATH, 'key.pem'));
    } catch (error) {
      throw new UserError(
        `cannot read TLS certificates from DOCKER_CERT_PATH=${env.DOCKER_CERT_PATH}: ${(error as Error).message}`,
        {
          exitCode: ExitCode.dockerUnreachable,
          hint: 'DOCKER_CERT_PATH must hold ca.pem, cert.pem and key.pem',
        },
      );
    }
  }
  return { options, describe: `tcp://${url.hostname}:${port}${tls ? ' (TLS)' : ''}` };
}

function explain(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no socket there';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'EACCES':
      return 'permission denied (is your user in the docker group?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'timed out';
    default:
      return error.message || String(error);
  }
}

/**
 * True when the connection to the engine itself broke (the engine stopped, crashed or restarted mid-request),
 * as opposed to the engine reporting an error: the response stream ends with only "aborted" or a reset.
 */
export function engineConnectionLost(error: unknown): boolean {
  const e = error as { json?: unknown; statusCode?: number; code?: string; message?: string };
  if (e.json !== undefined || e.statusCode !== undefined) return false;
  return (
    /^(aborted|socket hang up)$/.test(e.message ?? '') ||
    ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE'].includes(e.code ?? '')
  );
}

/** The engine's own words for a failed request (dockerode puts the daemon's JSON message in `json`). */
export function engineMessage(error: unknown): string {
  const e = error as { json?: { message?: string }; message?: string };
  return (e.json?.message ?? e.message ?? String(error)).trim();
}

/** A dockerode client for the engine DOCKER_HOST names, pinged once; an engine that does not answer is a UserError. */
export async function connectDocker(env: NodeJS.ProcessEnv): Promise<Docker> {
  const address = engineAddress(env);
  const { default: Dockerode } = await import('dockerode');
  const docker = new Dockerode(address.options);
  // The ping's own socket is closed on timeout: an engine that accepts and never answers must not keep us alive.
  const timeout = AbortSignal.timeout(PING_TIMEOUT_MS);
  try {
    // dockerode reads abortSignal from the options; its types list only the callback form.
    await (docker.ping as (options: { abortSignal: AbortSignal }) => Promise<unknown>)({ abortSignal: timeout });
  } catch (error) {
    const reason = timeout.aborted
      ? `timed out (no answer to a ping within ${PING_TIMEOUT_MS / 1000} s)`
      : explain(error as NodeJS.ErrnoException);
    throw new UserError(`cannot reach the Docker engine at ${address.describe}: ${reason}`, {
      exitCode: ExitCode.dockerUnreachable,
      hint: 'start Docker, or set DOCKER_HOST to an engine that runs',
      cause: error,
      details: { dockerHost: address.describe },
    });
  }
  return docker;
}
