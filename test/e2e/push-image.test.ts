// pushImage with the real engine and a real registry: digest read back, token refresh, bounded retries, platform check.
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../src/core/errors.js';
import type { RegistryCredentials } from '../../src/aws/ecr.js';
import { pushImage } from '../../src/docker/push.js';
import { dockerForTests } from '../support/docker.js';
import { runsWhen } from '../support/skips.js';
import { REGISTRY_USER, startRegistry, type TestRegistry } from '../support/registry.js';

const { docker, reason } = await dockerForTests();
const TINY = `tslambda-push-test:${process.pid}`;
let registry: TestRegistry;

/** A one-file image built FROM scratch: quick to build and push, still a real image manifest. */
async function buildTinyImage(engine: Docker, name: string): Promise<void> {
  const context = pack();
  context.entry({ name: 'Dockerfile' }, 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  context.entry({ name: 'hello.txt' }, `hello ${Date.now()}\n`);
  context.finalize();
  const stream = await engine.buildImage(context as never, { t: name, platform: 'linux/amd64' });
  await new Promise((resolve, reject) =>
    engine.modem.followProgress(stream, (error, events) =>
      error || events.some((e) => e.error) ? reject(error ?? new Error(JSON.stringify(events))) : resolve(events),
    ),
  );
}

function credentialsFrom(passwords: string[]) {
  const handedOut: string[] = [];
  return {
    handedOut,
    get: async (): Promise<RegistryCredentials> => {
      const password = passwords[Math.min(handedOut.length, passwords.length - 1)]!;
      handedOut.push(password);
      return { username: REGISTRY_USER, password, serverAddress: registry.host };
    },
  };
}

describe('pushImage', runsWhen('e2e pushImage', reason), () => {
  beforeAll(async () => {
    registry = await startRegistry();
    await buildTinyImage(docker!, TINY);
  });
  afterAll(async () => {
    await registry?.stop();
    const images = await docker!.listImages({ filters: JSON.stringify({ reference: [`${registry.host}/*`, TINY] }) });
    await Promise.all(
      images.map((image) =>
        docker!
          .getImage(image.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
  });

  it('pushes by tag and returns the digest the registry serves, as an image manifest', async () => {
    const credentials = credentialsFrom([registry.password]);
    const updates: string[] = [];
    const pushed = await pushImage(docker!, {
      localImage: TINY,
      repositoryUri: `${registry.host}/tiny`,
      tag: 'v1',
      architecture: 'x86_64',
      credentials: credentials.get,
      update: (t) => updates.push(t),
      retryDelaysMs: [10],
    });
    const manifest = await registry.manifest('tiny', 'v1');
    expect(manifest.status).toBe(200);
    expect(pushed.digest).toBe(manifest.digest);
    expect(pushed.imageUri).toBe(`${registry.host}/tiny@${manifest.digest}`);
    expect(manifest.mediaType).toBe(pushed.mediaType);
    expect(JSON.parse(manifest.body).layers).toHaveLength(1);
    expect(pushed.layers).toMatchObject({ total: 1 });
    expect(credentials.handedOut).toHaveLength(1);
  });

  it('asks for a fresh token once when the registry refuses the first one', async () => {
    const credentials = credentialsFrom(['stale-password', registry.password]);
    const pushed = await pushImage(docker!, {
      localImage: TINY,
      repositoryUri: `${registry.host}/tiny`,
      tag: 'v2',
      architecture: 'x86_64',
      credentials: credentials.get,
      retryDelaysMs: [10],
    });
    expect(credentials.handedOut).toEqual(['stale-password', registry.password]);
    expect((await registry.manifest('tiny', 'v2')).digest).toBe(pushed.digest);
  });

  it('fails clearly on a wrong password after one refresh, without echoing the password', async () => {
    const credentials = credentialsFrom(['wrong-password-123']);
    const error = await pushImage(docker!, {
      localImage: TINY,
      repositoryUri: `${registry.host}/tiny`,
      tag: 'v3',
      architecture: 'x86_64',
      credentials: credentials.get,
      retryDelaysMs: [10],
    }).then(
      () => undefined,
      (e: unknown) => e as UserError,
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ exitCode: ExitCode.pushFailed });
    expect(error!.message).toMatch(
      new RegExp(`^the registry ${registry.host} refused the credentials: .*(unauthorized|authentication required)`),
    );
    expect(JSON.stringify({ message: error!.message, hint: error!.hint, details: error!.details })).not.toContain(
      'wrong-password-123',
    );
    expect(credentials.handedOut).toHaveLength(2);
    expect((await registry.manifest('tiny', 'v3')).status).toBe(404);
  });

  it('refuses an image whose platform does not match the function architecture', async () => {
    const error = await pushImage(docker!, {
      localImage: TINY,
      repositoryUri: `${registry.host}/tiny`,
      tag: 'v4',
      architecture: 'arm64',
      credentials: credentialsFrom([registry.password]).get,
    }).catch((e: unknown) => e as UserError);
    expect(error).toMatchObject({
      exitCode: ExitCode.pushFailed,
      message: expect.stringMatching(/is linux\/amd64, but the function needs linux\/arm64$/),
    });
  });

  it('retries a registry that is down a bounded number of times, then fails clearly', async () => {
    const down = await startRegistry();
    await down.stop();
    const credentials = credentialsFrom([down.password]);
    const debug: string[] = [];
    const error = await pushImage(docker!, {
      localImage: TINY,
      repositoryUri: `${down.host}/tiny`,
      tag: 'v5',
      architecture: 'x86_64',
      credentials: credentials.get,
      retryDelaysMs: [10, 10],
      debug: (l) => debug.push(l),
    }).catch((e: unknown) => e as UserError);
    expect(error).toMatchObject({
      exitCode: ExitCode.pushFailed,
      message: expect.stringMatching(new RegExp(`^push to ${down.host} failed after 3 attempts: .*connection refused`)),
    });
    expect(debug.filter((l) => l.includes('retry'))).toHaveLength(2);
  });
});
