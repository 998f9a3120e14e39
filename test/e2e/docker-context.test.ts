// `tslambda build` reaching the real engine through Docker contexts: a unix socket at another path chosen by
// `docker context use`, a TLS listener that demands a client certificate, and a context whose engine is gone.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/core/errors.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { makeDockerConfig, useDockerContext, writeDockerContext } from '../support/docker-contexts.js';
import {
  type Forwarder,
  makeSshKeys,
  makeTlsFiles,
  sshAgent,
  sshForwarder,
  tlsForwarder,
  unixForwarder,
} from '../support/engine-forwarders.js';
import { runProcess } from '../support/cli-process.js';
import { runCli } from '../support/run-cli.js';
import { runsWhen } from '../support/skips.js';
import { makeProject } from '../support/temp-project.js';

/** What a run said to the user, without its progress lines (the bundle step runs before the engine is reached). */
const messages = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => /^(warning|error|hint): /.test(line))
    .map((line) => `${line}\n`)
    .join('');

const availability = await dockerForTests();
const docker = availability.docker as Docker;
const suffix = randomBytes(3).toString('hex');
const built: string[] = [];
const socketPath = join(tmpdir(), `tslambda-ctx-${suffix}.sock`);

/** Nothing from the machine chooses the engine: only the test's docker config folder. */
const contextEnv = (dockerConfig: string) => ({
  DOCKER_CONFIG: dockerConfig,
  DOCKER_HOST: undefined,
  DOCKER_CONTEXT: undefined,
  DOCKER_TLS_VERIFY: undefined,
  DOCKER_CERT_PATH: undefined,
});

async function project(extra: Record<string, unknown> = {}) {
  const functionName = `e2e-context-${suffix}-${built.length}`;
  built.push(functionName);
  const cwd = await makeProject({
    'lambda.config.json': JSON.stringify({ functionName, baseImage: BASE_IMAGE, ...extra }),
    'index.js': 'exports.handler = async () => "through a context";',
  });
  return { functionName, cwd };
}

// After every group: the ssh group builds after the first group's own afterAll has run.
afterAll(async () => {
  for (const name of built)
    await docker
      ?.getImage(`${name}:latest`)
      .remove({ force: true })
      .catch(() => {});
});

/** The build requests that went through a forwarder, by the image name they tag. */
const builds = (forwarder: Forwarder) =>
  forwarder.requests.flatMap((line) => /^POST (?:\/v[\d.]+)?\/build\?t=([^&%]+)/.exec(line)?.[1] ?? []);

describe(
  'Docker contexts (real engine behind other addresses)',
  runsWhen('e2e docker contexts', availability.reason),
  () => {
    let dockerConfig: string;
    let unix: Forwarder;
    let tls: Forwarder & { port: number };

    beforeAll(async () => {
      expect(docker).toBeDefined();
      dockerConfig = await makeDockerConfig();
      const files = await makeTlsFiles();
      unix = await unixForwarder(socketPath);
      tls = await tlsForwarder(files);
      await writeDockerContext(dockerConfig, 'forwarded', { host: `unix://${socketPath}` });
      await writeDockerContext(dockerConfig, 'secure', {
        host: `tcp://127.0.0.1:${tls.port}`,
        tls: { ca: files.ca, cert: files.cert, key: files.key },
      });
      // The server still demands the client certificate; only the client skips checking the server's.
      await writeDockerContext(dockerConfig, 'secure-unverified', {
        host: `tcp://127.0.0.1:${tls.port}`,
        skipTLSVerify: true,
        tls: { cert: files.cert, key: files.key },
      });
      await writeDockerContext(dockerConfig, 'no-client-cert', {
        host: `tcp://127.0.0.1:${tls.port}`,
        tls: { ca: files.ca },
      });
      await writeDockerContext(dockerConfig, 'stopped', { host: `unix://${socketPath}.gone` });
      await useDockerContext(dockerConfig, 'forwarded');
    }, 60_000);

    afterAll(async () => {
      await unix?.close();
      await tls?.close();
    });

    it('builds on the engine of the current context (`docker context use`), a socket at another path', async () => {
      const { functionName, cwd } = await project();
      const result = await runCli(['build', '--json', '--no-bundle'], { cwd, env: contextEnv(dockerConfig) });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(ExitCode.ok);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, image: `${functionName}:latest` });
      expect(builds(unix)).toEqual([functionName]);
      expect(tls.connections).toBe(0);
      await expect(docker.getImage(`${functionName}:latest`).inspect()).resolves.toBeDefined();
    });

    it('builds over TLS with the context\'s client certificate (config "dockerContext"), and the flag wins over it', async () => {
      const { functionName, cwd } = await project({ dockerContext: 'secure' });
      const unixBuilds = builds(unix);
      const result = await runCli(['build', '--json', '--no-bundle'], { cwd, env: contextEnv(dockerConfig) });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(ExitCode.ok);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, image: `${functionName}:latest` });
      expect(builds(tls)).toEqual([functionName]);
      expect(builds(unix)).toEqual(unixBuilds);

      // --docker-context over the config key; this context trusts any server certificate but still presents its own.
      const unverified = await runCli(['build', '--json', '--no-bundle', '--docker-context', 'secure-unverified'], {
        cwd,
        env: contextEnv(dockerConfig),
      });
      expect(unverified.stderr).toBe('');
      expect(unverified.exitCode).toBe(ExitCode.ok);
      expect(builds(tls)).toEqual([functionName, functionName]);
    });

    it('names the context, its endpoint and the contexts there are when its engine does not answer', async () => {
      const { cwd } = await project();
      const contexts = 'contexts: default, forwarded, no-client-cert, secure, secure-unverified, stopped';
      // A context named to tslambda wins over DOCKER_HOST, as `docker --context` does, and says so.
      const gone = await runCli(['build', '--docker-context', 'stopped'], {
        cwd,
        env: { ...contextEnv(dockerConfig), DOCKER_HOST: 'tcp://127.0.0.1:1' },
      });
      expect(gone.exitCode).toBe(ExitCode.dockerUnreachable);
      expect(messages(gone.stderr)).toBe(
        'warning: DOCKER_HOST is ignored: --docker-context chooses the Docker context "stopped"\n' +
          `error: cannot reach the Docker engine of context "stopped" at unix://${socketPath}.gone: no socket there; ${contexts}\n` +
          'hint: --docker-context chooses "stopped"; start its engine, or choose another with --docker-context NAME\n',
      );

      // A TLS engine that refuses a client without a certificate is unreachable too, in the same one line.
      const refused = await runCli(['build', '--docker-context', 'no-client-cert'], {
        cwd,
        env: contextEnv(dockerConfig),
      });
      expect(refused.exitCode).toBe(ExitCode.dockerUnreachable);
      expect(messages(refused.stderr).split('\n')[0]).toBe(
        `error: cannot reach the Docker engine of context "no-client-cert" at tcp://127.0.0.1:${tls.port} (TLS): TLS handshake failed: tlsv13 alert certificate required; ${contexts}`,
      );

      const unknown = await runCli(['build', '--docker-context', 'secur'], { cwd, env: contextEnv(dockerConfig) });
      expect(unknown.exitCode).toBe(ExitCode.usage);
      expect(messages(unknown.stderr).split('\n')[0]).toBe(
        `error: Docker context "secur" does not exist; did you mean "secure"? (${contexts})`,
      );
    });
  },
);

const sshTools = ['ssh-keygen', 'ssh-agent', 'ssh-add'].find((tool) => spawnSync('which', [tool]).status !== 0);

describe(
  'a Docker context over ssh',
  runsWhen('e2e docker context (ssh)', availability.reason ?? (sshTools && `${sshTools} is not installed`)),
  () => {
    let dockerConfig: string;
    let home: string;
    let ssh: Forwarder & { port: number };
    let agent: { socket: string; stop(): void };

    beforeAll(async () => {
      dockerConfig = await makeDockerConfig();
      home = await makeDockerConfig();
      const keys = await makeSshKeys(dockerConfig);
      ssh = await sshForwarder(keys);
      agent = await sshAgent(dockerConfig, keys.clientKeyPath);
      await mkdir(join(home, '.ssh'));
      await writeFile(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${ssh.port} ${keys.hostPublicKey}\n`);
      await writeDockerContext(dockerConfig, 'remote', { host: `ssh://builder@127.0.0.1:${ssh.port}` });
      await useDockerContext(dockerConfig, 'remote');
    }, 60_000);

    afterAll(async () => {
      agent?.stop();
      await ssh?.close();
    });

    it("builds through `docker system dial-stdio` over ssh, with the agent's key and a host key from known_hosts", async () => {
      const { functionName, cwd } = await project();
      const env = { ...contextEnv(dockerConfig), HOME: home, SSH_AUTH_SOCK: agent.socket };
      // A real process: Node prints a deprecation warning (DEP0170, from parsing an ssh: URL) on the process's stderr.
      const result = await runProcess(['build', '--json', '--no-bundle'], { cwd, env, boundMs: 120_000 });
      expect(result.stderr).not.toContain('DeprecationWarning');
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(ExitCode.ok);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, image: `${functionName}:latest` });
      expect(builds(ssh)).toEqual([functionName]);
    });

    it('refuses a host whose key known_hosts does not hold, before any request', async () => {
      const { cwd } = await project();
      const stranger = await makeDockerConfig();
      const connections = ssh.connections;
      const env = { ...contextEnv(dockerConfig), HOME: stranger, SSH_AUTH_SOCK: agent.socket };
      const result = await runProcess(['build'], { cwd, env, boundMs: 60_000 });
      expect(result.stderr).not.toContain('DeprecationWarning');
      expect(result.exitCode).toBe(ExitCode.dockerUnreachable);
      expect(messages(result.stderr).split('\n')[0]).toBe(
        `error: cannot reach the Docker engine of context "remote" at ssh://builder@127.0.0.1:${ssh.port}: ` +
          `the host key of [127.0.0.1]:${ssh.port} is not in ${stranger}/.ssh/known_hosts or /etc/ssh/ssh_known_hosts; ` +
          'connect once with ssh to check and accept it; contexts: default, remote',
      );
      expect(ssh.connections).toBe(connections);
    });
  },
);
