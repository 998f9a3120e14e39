// The real Docker engine behind another address, for tests of how tslambda finds it: a unix socket at another path,
// or a TLS listener that demands a client certificate; each counts what went through it.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
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

function forward(client: net.Socket, state: Forwarder, sockets: Set<net.Socket>): void {
  state.connections++;
  const engine = net.connect(ENGINE_SOCKET);
  for (const socket of [client, engine]) {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {
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
  const sockets = new Set<net.Socket>();
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
