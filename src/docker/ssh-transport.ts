// The engine over ssh, as `docker -H ssh://…` reaches it: each HTTP connection is an ssh session running
// `docker system dial-stdio` on the host. docker-modem has such a transport, but it builds the request URL from an
// `ssh:` address with url.parse, which makes Node print a DEP0170 deprecation warning to the user (and will throw
// on a later Node); given this agent, docker-modem treats the engine as plain HTTP and parses no ssh URL.
import { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';

/** Where the sessions go, for messages and tests (the verifier and algorithms are in the connect config). */
export interface SshTarget {
  host: string;
  port: number;
  username?: string;
  /** The ssh agent's socket (SSH_AUTH_SOCK): the only source of keys, as with `docker` through `ssh`. */
  agentSocket?: string;
}

export class SshDialAgent extends Agent {
  readonly target: SshTarget;
  readonly #connect: ConnectConfig;

  constructor(target: SshTarget, extra: Pick<ConnectConfig, 'hostVerifier' | 'algorithms'>) {
    super();
    this.target = target;
    this.#connect = {
      host: target.host,
      port: target.port,
      username: target.username,
      agent: target.agentSocket,
      ...extra,
    };
  }

  /** A new ssh session per connection; it ends when the HTTP connection closes. */
  override createConnection(_options: unknown, done: (error: Error | null, stream?: Duplex) => void): undefined {
    const session = new Client();
    let settled = false;
    const fail = (error: Error) => {
      session.end();
      if (!settled) done(error);
      settled = true;
    };
    session
      .once('ready', () => {
        session.exec('docker system dial-stdio', (error, stream) => {
          if (error) return fail(error);
          settled = true;
          stream.once('close', () => session.end());
          done(null, stream);
        });
      })
      .on('error', fail)
      .connect(this.#connect);
    return undefined;
  }
}
