// The real Docker engine behind another address, for tests of how tslambda finds it: a unix socket at another path,
// or a TLS listener that demands a client certificate; each counts what went through it.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Connection } from 'ssh2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';

export const ENGINE_SOCKET = '/var/run/docker.sock';

export interface Forwarder {
  /** Connections passed on to the engine (for TLS: only those with a client certificate the CA signed). */
  connections: number;
  /** Request lines seen going to the engine, e.g. "POST /v1.41/build?…". */
  requests: string[];
  close(): Promise<void>;
}

const REQUEST_LINE = /^(GET|HEAD|POST|PUT|DELETE) (\S+) HTTP\/1\.[01]\r$/gm;

/** Pipes one client stream (a socket, a TLS socket, an ssh channel) to a new connection to the engine. */
function forward(client: Duplex, state: Forwarder, streams: Set<Duplex>): void {
  state.connections++;
  const engine = net.connect(ENGINE_SOCKET);
  for (const stream of [client, engine]) {
    streams.add(stream);
    stream.on('close', () => streams.delete(stream));
    stream.on('error', () => {
      client.destroy();
      engine.destroy();
    });
  }
  client.on('data', (chunk: Buffer) => {
    for (const match of chunk.toString('latin1').matchAll(REQUEST_LINE)) state.requests.push(`${match[1]} ${match[2]}`);
  });
  client.pipe(engine).pipe(client);
}

async function listen(server: net.Server, address: string | number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (typeof address === 'string') server.listen(address, resolve);
    else server.listen(address, '127.0.0.1', resolve);
  });
}

function forwarder(server: net.Server): Forwarder {
  const sockets = new Set<Duplex>();
  const state: Forwarder = {
    connections: 0,
    requests: [],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on(server instanceof tls.Server ? 'secureConnection' : 'connection', (client: net.Socket) =>
    forward(client, state, sockets),
  );
  return state;
}

/** The engine at `socketPath` too (the file is removed on close). */
export async function unixForwarder(socketPath: string): Promise<Forwarder> {
  const server = net.createServer();
  const state = forwarder(server);
  await listen(server, socketPath);
  return state;
}

export interface TlsFiles {
  /** The CA that signed both certificates. */
  ca: string;
  /** The server's certificate (SAN IP:127.0.0.1) and key. */
  serverCert: string;
  serverKey: string;
  /** A client certificate and key, as `docker context create` stores them. */
  cert: string;
  key: string;
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made by openssl in a temporary folder. */
export async function makeTlsFiles(): Promise<TlsFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'tslambda-tls-'));
  const run = (...args: string[]) => promisify(execFile)('openssl', args, { cwd: dir, timeout: 30_000 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await writeFile(
      join(dir, 'ext.cnf'),
      '[server]\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n[client]\nextendedKeyUsage=clientAuth\n',
    );
    await run('req', '-x509', ...ec, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca');
    for (const [name, cn] of [
      ['server', '127.0.0.1'],
      ['client', 'tslambda-test-client'],
    ] as const) {
      await run('req', ...ec, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
      await run(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca-key.pem',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '1',
        '-extfile',
        'ext.cnf',
        '-extensions',
        name,
      );
    }
    const read = (file: string) => readFile(join(dir, file), 'utf8');
    return {
      ca: await read('ca.pem'),
      serverCert: await read('server.pem'),
      serverKey: await read('server-key.pem'),
      cert: await read('client.pem'),
      key: await read('client-key.pem'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The engine over TLS on 127.0.0.1, for clients holding a certificate the CA signed (others are refused). */
export async function tlsForwarder(files: TlsFiles): Promise<Forwarder & { port: number }> {
  const server = tls.createServer({
    key: files.serverKey,
    cert: files.serverCert,
    ca: files.ca,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const state = forwarder(server);
  await listen(server, 0);
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the TLS forwarder has no port');
  return Object.assign(state, { port: address.port });
}

export interface SshFiles {
  /** Where ssh-keygen wrote the keys: host_key(.pub), client_key(.pub). */
  dir: string;
  /** "ssh-ed25519 AAAA…", the host's public key as known_hosts holds it. */
  hostPublicKey: string;
  clientKeyPath: string;
}

/** A host key and a client key, made by ssh-keygen; the folder is the caller's to remove. */
export async function makeSshKeys(dir: string): Promise<SshFiles> {
  for (const name of ['host_key', 'client_key'])
    await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(dir, name)]);
  const [type, base64] = (await readFile(join(dir, 'host_key.pub'), 'utf8')).split(' ');
  return { dir, hostPublicKey: `${type} ${base64}`, clientKeyPath: join(dir, 'client_key') };
}

/**
 * An ssh server on 127.0.0.1 that admits only the client key and answers `docker system dial-stdio` (what the docker
 * CLI and dockerode run on the remote machine) by connecting the channel to the engine, as the docker CLI does there.
 */
export async function sshForwarder(files: SshFiles): Promise<Forwarder & { port: number }> {
  const { Server, utils } = await import('ssh2');
  const allowed = utils.parseKey(await readFile(`${files.clientKeyPath}.pub`));
  if (allowed instanceof Error) throw allowed;
  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [await readFile(join(files.dir, 'host_key'))] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      const ok =
        ctx.method === 'publickey' &&
        ctx.key.algo === allowed.type &&
        ctx.key.data.equals(allowed.getPublicSSH()) &&
        (!ctx.signature || allowed.verify(ctx.blob ?? Buffer.alloc(0), ctx.signature, ctx.hashAlgo) === true);
      if (ok) ctx.accept();
      else ctx.reject(['publickey']);
    });
    client.on('session', (accept) =>
      accept().on('exec', (acceptExec, reject, info) => {
        if (info.command !== 'docker system dial-stdio') return reject();
        forward(acceptExec(), state, streams);
      }),
    );
  });
  const streams = new Set<Duplex>();
  const state: Forwarder = {
    connections: 0,
    requests: [],
    close: async () => {
      for (const stream of streams) stream.destroy();
      for (const client of clients) client.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the ssh server has no port');
  return Object.assign(state, { port: address.port });
}

/** An ssh-agent of the test's own, holding one key; stop() ends it (by its pid). */
export async function sshAgent(dir: string, keyPath: string): Promise<{ socket: string; stop(): void }> {
  const socket = join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  const stop = () => {
    if (agent.exitCode === null) agent.kill();
  };
  try {
    for (let tries = 0; ; tries++) {
      try {
        await promisify(execFile)('ssh-add', ['-q', keyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
        return { socket, stop };
      } catch (error) {
        if (tries >= 50 || agent.exitCode !== null) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    stop();
    throw error;
  }
}
