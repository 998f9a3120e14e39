// Connects to the Docker engine a Docker context or DOCKER_HOST names (unix, tcp, tcp+TLS, ssh) and proves it answers.
import type Docker from 'dockerode';
import { ExitCode, UserError } from '../core/errors.js';
import { contextNames, DEFAULT_CONTEXT } from './context-store.js';
import { type ContextChoice, type EngineAddress, type EngineOptions, resolveEngine } from './engine-address.js';

const PING_TIMEOUT_MS = 5000;

// docker-modem fills whatever we leave out from the process's own DOCKER_HOST and DOCKER_CERT_PATH: the resolved
// address must be all it uses, so every connection field is set, if only to undefined.
const NO_MODEM_DEFAULTS: EngineOptions = {
  socketPath: undefined,
  host: undefined,
  port: undefined,
  protocol: undefined,
  ca: undefined,
  cert: undefined,
  key: undefined,
};

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
    default: {
      // A refused TLS handshake: OpenSSL's reason ("tlsv13 alert certificate required"), not its multi-line dump.
      const { reason } = error as { reason?: unknown };
      if (error.code?.startsWith('ERR_SSL_') && typeof reason === 'string') return `TLS handshake failed: ${reason}`;
      return (error.message || String(error)).split('\n')[0]!.trim();
    }
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

/** The one line for an engine that does not answer: which context, which endpoint, and the contexts there are. */
function unreachable(address: EngineAddress, reason: string, error: unknown): UserError {
  const names = contextNames(address.configDir);
  const others = names.length > 1 ? `; contexts: ${names.join(', ')}` : '';
  const details = { dockerHost: address.describe, dockerContext: address.context, contexts: names };
  if (address.context === DEFAULT_CONTEXT) {
    return new UserError(`cannot reach the Docker engine at ${address.describe}: ${reason}${others}`, {
      exitCode: ExitCode.dockerUnreachable,
      hint: `start Docker, or set DOCKER_HOST to an engine that runs${others ? ', or choose a context with --docker-context NAME' : ''}`,
      cause: error,
      details,
    });
  }
  return new UserError(
    `cannot reach the Docker engine of context "${address.context}" at ${address.describe}: ${reason}; contexts: ${names.join(', ')}`,
    {
      exitCode: ExitCode.dockerUnreachable,
      hint: `${address.chosenBy} chooses "${address.context}"; start its engine, or choose another with --docker-context NAME`,
      cause: error,
      details,
    },
  );
}

export interface ConnectOptions {
  /** A context named by --docker-context or the config's dockerContext; it wins over DOCKER_HOST. */
  context?: ContextChoice;
  warn?: (line: string) => void;
}

/** A dockerode client for the engine the context or DOCKER_HOST names, pinged once; an engine that does not answer is a UserError. */
export async function connectDocker(env: NodeJS.ProcessEnv, connect: ConnectOptions = {}): Promise<Docker> {
  const address = resolveEngine(env, connect.context, connect.warn);
  const { default: Dockerode } = await import('dockerode');
  const docker = new Dockerode({ ...NO_MODEM_DEFAULTS, ...address.options });
  // The ping's own socket is closed on timeout: an engine that accepts and never answers must not keep us alive.
  const timeout = AbortSignal.timeout(PING_TIMEOUT_MS);
  try {
    // dockerode reads abortSignal from the options; its types list only the callback form.
    await (docker.ping as (options: { abortSignal: AbortSignal }) => Promise<unknown>)({ abortSignal: timeout });
  } catch (error) {
    const reason = timeout.aborted
      ? `timed out (no answer to a ping within ${PING_TIMEOUT_MS / 1000} s)`
      : (address.hostKey?.refusal ?? explain(error as NodeJS.ErrnoException));
    throw unreachable(address, reason, error);
  }
  return docker;
}
