// What the Docker launcher asks the engine for: the inspector's port published on a bridge network (Docker
// Desktop) and not on the host network, and sandbox.localdomain naming the environment itself.
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { containerLauncher, type ContainerNetwork } from '../../../src/local/execution/docker-launcher.js';

/** An engine that records the create request and refuses it, so nothing runs. */
function recordingEngine(): { docker: Docker; created: () => Docker.ContainerCreateOptions } {
  let created: Docker.ContainerCreateOptions | undefined;
  const engine = {
    createContainer: async (options: Docker.ContainerCreateOptions) => {
      created = options;
      throw new Error('recorded');
    },
  };
  return { docker: engine as unknown as Docker, created: () => created! };
}

async function createRequest(network: ContainerNetwork) {
  const { docker, created } = recordingEngine();
  const launcher = containerLauncher(docker, {
    image: 'orders:latest',
    env: { NODE_OPTIONS: '--enable-source-maps --inspect=0.0.0.0:9229' },
    memorySizeMb: 128,
    network,
    publish: { port: 9229, host: '127.0.0.1' },
  });
  const request = { port: 4000, env: {}, onOutput: () => undefined, onStarting: () => undefined };
  await expect(launcher.start(request)).rejects.toThrow('recorded');
  return created();
}

describe('the container the launcher creates', () => {
  it('publishes the inspector port on the user address over a bridge network', async () => {
    const options = await createRequest('gateway');
    expect(options.ExposedPorts).toEqual({ '9229/tcp': {} });
    expect(options.HostConfig?.PortBindings).toEqual({ '9229/tcp': [{ HostIp: '127.0.0.1', HostPort: '9229' }] });
    expect(options.HostConfig?.ExtraHosts).toEqual([
      'sandbox.localdomain:127.0.0.1',
      'host.docker.internal:host-gateway',
    ]);
    expect(options.Env).toContain('NODE_OPTIONS=--enable-source-maps --inspect=0.0.0.0:9229');
  });

  it('publishes nothing on the host network, where the inspector already listens on the host', async () => {
    const options = await createRequest('host');
    expect(options.ExposedPorts).toBeUndefined();
    expect(options.HostConfig?.PortBindings).toBeUndefined();
    expect(options.HostConfig?.NetworkMode).toBe('host');
    expect(options.HostConfig?.ExtraHosts).toEqual(['sandbox.localdomain:127.0.0.1']);
  });
});
