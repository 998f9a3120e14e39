import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineAddress } from '../../../src/docker/engine-address.js';
import type { SshDialAgent } from '../../../src/docker/ssh-transport.js';
import { ExitCode, UserError } from '../../../src/core/errors.js';

describe('engineAddress (DOCKER_HOST as the docker CLI reads it)', () => {
  it('defaults to the local socket, and takes unix:// paths', () => {
    expect(engineAddress({})).toEqual({
      options: { socketPath: '/var/run/docker.sock' },
      describe: 'unix:///var/run/docker.sock',
    });
    expect(engineAddress({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }).options).toEqual({
      socketPath: '/run/user/1000/docker.sock',
    });
  });

  it('speaks plain http to tcp:// and TLS with the certificates of DOCKER_CERT_PATH when DOCKER_TLS_VERIFY is set', async () => {
    expect(engineAddress({ DOCKER_HOST: 'tcp://10.1.2.3:2375' })).toEqual({
      options: { host: '10.1.2.3', port: 2375, protocol: 'http' },
      describe: 'tcp://10.1.2.3:2375',
    });
    const certs = await mkdtemp(join(tmpdir(), 'tslambda-certs-'));
    for (const name of ['ca', 'cert', 'key']) await writeFile(join(certs, `${name}.pem`), `${name} bytes`);
    const tls = engineAddress({
      DOCKER_HOST: 'tcp://docker.example.test',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certs,
    });
    expect(tls.describe).toBe('tcp://docker.example.test:2376 (TLS)');
    expect(tls.options).toMatchObject({ host: 'docker.example.test', port: 2376, protocol: 'https' });
    expect(String(tls.options.ca)).toBe('ca bytes');
    expect(String(tls.options.key)).toBe('key bytes');
  });

  it('names a missing certificate folder in one line', () => {
    expect(() =>
      engineAddress({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent' }),
    ).toThrow(/^cannot read TLS certificates from DOCKER_CERT_PATH=\/nonexistent: /);
  });

  it('uses ssh:// with its user and port', () => {
    const ssh = engineAddress({ DOCKER_HOST: 'ssh://deploy@build-box:2222' });
    expect(ssh).toMatchObject({ options: { protocol: 'http' }, describe: 'ssh://deploy@build-box:2222' });
    expect((ssh.options.agent as SshDialAgent).target).toMatchObject({
      host: 'build-box',
      port: 2222,
      username: 'deploy',
    });
  });

  it('refuses an address it cannot use, with the engine-unreachable exit code', () => {
    for (const host of ['bogus://x', 'not a url']) {
      const error = (() => {
        try {
          engineAddress({ DOCKER_HOST: host });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).exitCode).toBe(ExitCode.dockerUnreachable);
    }
  });
});
