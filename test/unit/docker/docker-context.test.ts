// Which engine tslambda picks from Docker contexts, against a context store the test writes, and against the docker
// CLI itself (`docker context show` / `inspect`) when it is installed.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Agent as HttpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ExitCode, UserError } from '../../../src/core/errors.js';
import { connectDocker } from '../../../src/docker/client.js';
import { type ContextChoice, resolveEngine } from '../../../src/docker/engine-address.js';
import { SshDialAgent } from '../../../src/docker/ssh-transport.js';
import { dockerCli, makeDockerConfig, useDockerContext, writeDockerContext } from '../../support/docker-contexts.js';
import { makeTlsFiles } from '../../support/engine-forwarders.js';
import { runsWhen } from '../../support/skips.js';

const PEM = { ca: 'ca pem', cert: 'cert pem', key: 'key pem' };

/** A store with one context of each kind; `colima` is the current one unless told otherwise. */
async function store(current = true) {
  const dir = await makeDockerConfig();
  await writeDockerContext(dir, 'colima', { host: 'unix:///home/me/.colima/default/docker.sock' });
  await writeDockerContext(dir, 'remote-tls', { host: 'tcp://10.0.0.7:2376', tls: PEM });
  await writeDockerContext(dir, 'remote-plain', { host: 'tcp://10.0.0.8:2375' });
  await writeDockerContext(dir, 'remote-skip', { host: 'tcp://10.0.0.9:2376', skipTLSVerify: true, tls: PEM });
  await writeDockerContext(dir, 'build-box', { host: 'ssh://deploy@build-box:2222' });
  if (current) await useDockerContext(dir, 'colima');
  return dir;
}

function thrown(work: () => unknown): UserError {
  try {
    work();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

const explicit = (name: string): ContextChoice => ({ name, chosenBy: '--docker-context' });

describe('a context store written by the test', () => {
  it('gives each kind of endpoint its connection: unix, tcp with TLS files, plain tcp, unverified TLS, ssh', async () => {
    const dir = await store();
    const env = { DOCKER_CONFIG: dir, SSH_AUTH_SOCK: '/tmp/agent.sock' };
    const unix = resolveEngine(env);
    expect(unix).toMatchObject({ context: 'colima', describe: 'unix:///home/me/.colima/default/docker.sock' });
    expect(unix.options).toEqual({ socketPath: '/home/me/.colima/default/docker.sock' });
    expect(unix.chosenBy).toBe(`currentContext in ${join(dir, 'config.json')}`);

    const tls = resolveEngine(env, explicit('remote-tls'));
    expect(tls.describe).toBe('tcp://10.0.0.7:2376 (TLS)');
    expect(tls.options).toMatchObject({ host: '10.0.0.7', port: 2376, protocol: 'https' });
    expect([tls.options.ca, tls.options.cert, tls.options.key].map(String)).toEqual([PEM.ca, PEM.cert, PEM.key]);
    expect(tls.options.agent).toBeUndefined();

    // No TLS files and no skip: plain HTTP, as the docker CLI does.
    expect(resolveEngine(env, explicit('remote-plain')).options).toEqual({
      host: '10.0.0.8',
      port: 2375,
      protocol: 'http',
    });

    const skip = resolveEngine(env, explicit('remote-skip'));
    expect(skip.describe).toBe('tcp://10.0.0.9:2376 (TLS, unverified)');
    expect(skip.options.agent).toBeInstanceOf(HttpsAgent);
    expect((skip.options.agent as HttpsAgent).options).toMatchObject({ rejectUnauthorized: false });

    // ssh through an agent of ours: docker-modem sees plain HTTP, and never parses an ssh: URL (DEP0170).
    const ssh = resolveEngine(env, explicit('build-box'));
    expect(ssh).toMatchObject({ describe: 'ssh://deploy@build-box:2222', options: { protocol: 'http' } });
    expect(ssh.options.agent).toBeInstanceOf(SshDialAgent);
    expect((ssh.options.agent as SshDialAgent).target).toEqual({
      host: 'build-box',
      port: 2222,
      username: 'deploy',
      agentSocket: '/tmp/agent.sock',
    });
  });

  it('takes a TLS context with a CA and no client certificate; refuses a certificate without its key', async () => {
    const dir = await makeDockerConfig();
    await writeDockerContext(dir, 'ca-only', { host: 'tcp://h:2376', tls: { ca: PEM.ca } });
    await writeDockerContext(dir, 'half', { host: 'tcp://h:2376', tls: { ca: PEM.ca, cert: PEM.cert } });
    const caOnly = resolveEngine({ DOCKER_CONFIG: dir }, explicit('ca-only'));
    expect(caOnly.options).toMatchObject({ protocol: 'https', cert: undefined, key: undefined });
    expect(String(caOnly.options.ca)).toBe(PEM.ca);

    const half = thrown(() => resolveEngine({ DOCKER_CONFIG: dir }, explicit('half')));
    expect(half.exitCode).toBe(ExitCode.dockerUnreachable);
    expect(half.message).toBe('Docker context "half" has a client certificate without its pair: key.pem is missing');
    expect(half.hint).toContain(join(dir, 'contexts', 'tls'));
  });

  it('names an unknown context in one line with "did you mean" and the contexts that exist (exit 2)', async () => {
    const dir = await store();
    const fromEnv = thrown(() => resolveEngine({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'colma' }));
    expect(fromEnv.exitCode).toBe(ExitCode.usage);
    expect(fromEnv.message).toBe(
      'Docker context "colma" does not exist; did you mean "colima"? (contexts: build-box, colima, default, remote-plain, remote-skip, remote-tls)',
    );
    expect(fromEnv.hint).toMatch(/^DOCKER_CONTEXT names it; /);

    await useDockerContext(dir, 'gone-for-good');
    const fromConfig = thrown(() => resolveEngine({ DOCKER_CONFIG: dir }));
    expect(fromConfig.message).toMatch(/^Docker context "gone-for-good" does not exist \(contexts: build-box, /);
    expect(fromConfig.hint).toContain(`currentContext in ${join(dir, 'config.json')} names it`);
  });

  it('says which file is broken when the docker config is not JSON', async () => {
    const dir = await makeDockerConfig();
    await writeFile(join(dir, 'config.json'), '{ "currentContext": ');
    const error = thrown(() => resolveEngine({ DOCKER_CONFIG: dir }));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toMatch(new RegExp(`^${join(dir, 'config.json')} is not valid JSON: `));
  });

  it('reads ~/.docker when DOCKER_CONFIG is unset, and the default socket when nothing chooses', async () => {
    const home = await makeDockerConfig();
    await writeDockerContext(join(home, '.docker'), 'colima', { host: 'unix:///c.sock' });
    await useDockerContext(join(home, '.docker'), 'colima');
    expect(resolveEngine({ HOME: home }).describe).toBe('unix:///c.sock');
    expect(resolveEngine({ DOCKER_CONFIG: join(tmpdir(), 'no-such-docker-config') })).toMatchObject({
      context: 'default',
      describe: 'unix:///var/run/docker.sock',
    });
  });
});

// The order in which a context is chosen: each case, its expected context, and the docker CLI's flags for it.
const PRECEDENCE: Array<{
  case: string;
  env: NodeJS.ProcessEnv;
  explicit?: string;
  /** False: the docker config has no currentContext. */
  current?: false;
  context: string;
  by: string;
}> = [
  { case: 'nothing set', env: {}, current: false, context: 'default', by: 'no context chosen' },
  { case: 'currentContext', env: {}, context: 'colima', by: 'currentContext' },
  {
    case: 'DOCKER_CONTEXT over currentContext',
    env: { DOCKER_CONTEXT: 'remote-tls' },
    context: 'remote-tls',
    by: 'DOCKER_CONTEXT',
  },
  {
    case: 'DOCKER_HOST over DOCKER_CONTEXT and currentContext',
    env: { DOCKER_HOST: 'tcp://127.0.0.1:2999', DOCKER_CONTEXT: 'remote-tls' },
    context: 'default',
    by: 'DOCKER_HOST',
  },
  {
    case: 'the flag over DOCKER_HOST and DOCKER_CONTEXT',
    env: { DOCKER_HOST: 'tcp://127.0.0.1:2999', DOCKER_CONTEXT: 'remote-tls' },
    explicit: 'build-box',
    context: 'build-box',
    by: '--docker-context',
  },
  {
    case: 'the flag naming "default" takes DOCKER_HOST',
    env: { DOCKER_HOST: 'tcp://127.0.0.1:2999' },
    explicit: 'default',
    context: 'default',
    by: '--docker-context',
  },
];

describe('precedence: flag or config > DOCKER_HOST > DOCKER_CONTEXT > currentContext > default', () => {
  it.each(PRECEDENCE)('$case → $context', async ({ env, explicit: name, current, context, by }) => {
    const dir = await store(current);
    const warn = vi.fn();
    const address = resolveEngine({ DOCKER_CONFIG: dir, ...env }, name ? explicit(name) : undefined, warn);
    expect(address.context).toBe(context);
    expect(address.chosenBy.startsWith(by)).toBe(true);
    if (context === 'default' && env.DOCKER_HOST) expect(address.describe).toBe('tcp://127.0.0.1:2999');
    // Only a context tslambda was told to use overrides a DOCKER_HOST that is set, and it says so.
    expect(warn.mock.calls).toEqual(
      name && name !== 'default' && env.DOCKER_HOST
        ? [[`DOCKER_HOST is ignored: --docker-context chooses the Docker context "${name}"`]]
        : [],
    );
  });
});

const cli = await dockerCli();

describe('the same choices as the docker CLI', runsWhen('docker CLI differential', cli.reason), () => {
  const docker = cli.run as NonNullable<typeof cli.run>;
  /** The CLI's chosen context and its endpoint, with a clean environment apart from the case's. */
  async function reference(dir: string, env: NodeJS.ProcessEnv, name?: string) {
    const fullEnv = { PATH: process.env.PATH, HOME: dir, DOCKER_CONFIG: dir, ...env };
    const flag = name ? ['--context', name] : [];
    const shown = await docker([...flag, 'context', 'show'], fullEnv);
    const host = await docker([...flag, 'context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'], fullEnv);
    return { context: shown, host };
  }

  it.each(PRECEDENCE)('$case', async ({ env, explicit: name, current }) => {
    const dir = await store(current);
    const ours = resolveEngine({ DOCKER_CONFIG: dir, ...env }, name ? explicit(name) : undefined);
    const theirs = await reference(dir, env, name);
    expect(ours.context).toBe(theirs.context);
    // Our description adds " (TLS)"; the address itself must be the CLI's.
    expect(ours.describe.replace(/ \(TLS.*\)$/, '')).toBe(theirs.host);
  });

  it('reads a store that `docker context create` wrote: endpoint, TLS files and skip-tls-verify', async () => {
    const dir = await makeDockerConfig();
    const certs = await makeDockerConfig();
    // The CLI parses what it stores, so these are real: a CA and a client certificate it signed.
    const real = await makeTlsFiles();
    const pem = { ca: real.ca, cert: real.cert, key: real.key };
    for (const [file, text] of Object.entries(pem)) await writeFile(join(certs, `${file}.pem`), text);
    const env = { PATH: process.env.PATH, HOME: dir, DOCKER_CONFIG: dir };
    const tlsFiles = ['ca', 'cert', 'key'].map((f) => `${f}=${join(certs, `${f}.pem`)}`).join(',');
    await docker(['context', 'create', 'made-tls', '--docker', `host=tcp://10.1.1.1:2376,${tlsFiles}`], env);
    await docker(['context', 'create', 'made-skip', '--docker', 'host=tcp://10.1.1.2:2376,skip-tls-verify=true'], env);
    await docker(['context', 'create', 'made-unix', '--docker', 'host=unix:///run/other.sock'], env);
    await docker(['context', 'use', 'made-unix'], env);

    expect(resolveEngine({ DOCKER_CONFIG: dir })).toMatchObject({
      context: 'made-unix',
      describe: 'unix:///run/other.sock',
    });
    const tls = resolveEngine({ DOCKER_CONFIG: dir }, explicit('made-tls'));
    expect(tls.describe).toBe('tcp://10.1.1.1:2376 (TLS)');
    expect([tls.options.ca, tls.options.cert, tls.options.key].map(String)).toEqual([pem.ca, pem.cert, pem.key]);
    const skip = resolveEngine({ DOCKER_CONFIG: dir }, explicit('made-skip'));
    expect(skip.describe).toBe('tcp://10.1.1.2:2376 (TLS, unverified)');
  });
});

describe('connectDocker when the engine does not answer', () => {
  const nowhere = () => join(tmpdir(), `tslambda-no-engine-${randomBytes(4).toString('hex')}.sock`);

  it('names the context, its endpoint, what chose it and the contexts that exist (exit 3)', async () => {
    const dir = await store();
    const socket = nowhere();
    await writeDockerContext(dir, 'stopped', { host: `unix://${socket}` });
    const error = await connectDocker({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'stopped' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    const { exitCode, message, hint, details } = error as UserError;
    expect(exitCode).toBe(ExitCode.dockerUnreachable);
    expect(message).toBe(
      `cannot reach the Docker engine of context "stopped" at unix://${socket}: no socket there; contexts: build-box, colima, default, remote-plain, remote-skip, remote-tls, stopped`,
    );
    expect(hint).toBe(
      'DOCKER_CONTEXT chooses "stopped"; start its engine, or choose another with --docker-context NAME',
    );
    expect(details).toMatchObject({ dockerContext: 'stopped', dockerHost: `unix://${socket}` });
  });

  it('keeps the plain DOCKER_HOST line, adding the contexts only when there are others to choose', async () => {
    const socket = nowhere();
    const empty = await makeDockerConfig();
    const alone = await connectDocker({ DOCKER_CONFIG: empty, DOCKER_HOST: `unix://${socket}` }).catch((e) => e);
    expect((alone as UserError).message).toBe(`cannot reach the Docker engine at unix://${socket}: no socket there`);
    const withOthers = await connectDocker({ DOCKER_CONFIG: await store(), DOCKER_HOST: `unix://${socket}` }).catch(
      (e) => e,
    );
    expect((withOthers as UserError).message).toBe(
      `cannot reach the Docker engine at unix://${socket}: no socket there; contexts: build-box, colima, default, remote-plain, remote-skip, remote-tls`,
    );
    expect((withOthers as UserError).hint).toContain('--docker-context NAME');
  });

  it("connects where the context says even when the process's own DOCKER_HOST says otherwise", async () => {
    // docker-modem reads process.env.DOCKER_HOST for anything its options leave out.
    const dir = await makeDockerConfig();
    const socket = nowhere();
    await writeDockerContext(dir, 'elsewhere', { host: `unix://${socket}` });
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:1';
    try {
      const error = await connectDocker({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'elsewhere' }).catch((e) => e);
      // ENOENT of the context's socket, not ECONNREFUSED of 127.0.0.1:1.
      expect((error as UserError).message).toMatch(/: no socket there; contexts: default, elsewhere$/);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});
