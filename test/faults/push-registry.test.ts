// Push through a fault proxy in front of a real registry: the engine's own retries and ours are bounded,
// the failure is one line naming the registry, exit code 5, and the local image tags are removed.
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, UserError } from '../../src/core/errors.js';
import { pushImage } from '../../src/docker/push.js';
import { dockerForTests } from '../support/docker.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../support/proxy.js';
import { REGISTRY_USER, startRegistry, type TestRegistry } from '../support/registry.js';

const { docker, reason } = await dockerForTests();
const LOCAL = `tslambda-faults-push:${process.pid}`;
let registry: TestRegistry;

async function buildTinyImage(engine: Docker, name: string): Promise<void> {
  const context = pack();
  context.entry({ name: 'Dockerfile' }, 'FROM scratch\nCOPY hello.txt /hello.txt\n');
  context.entry({ name: 'hello.txt' }, `faults ${Date.now()}\n`);
  context.finalize();
  const stream = await engine.buildImage(context as never, { t: name, platform: 'linux/amd64' });
  await new Promise((resolve, reject) =>
    engine.modem.followProgress(stream, (error, events) =>
      error || events.some((e) => e.error) ? reject(error ?? new Error(JSON.stringify(events))) : resolve(events),
    ),
  );
}

async function pushThrough(
  fault: Fault,
  repository: string,
  signal?: AbortSignal,
): Promise<{ error?: UserError; ms: number; proxy: FaultProxy }> {
  const [host, port] = registry.host.split(':');
  const proxy = await startFaultProxy({ host: host!, port: Number(port) }, fault);
  const started = performance.now();
  try {
    await pushImage(docker!, {
      localImage: LOCAL,
      repositoryUri: `${proxy.host}/${repository}`,
      tag: 'v1',
      architecture: 'x86_64',
      credentials: async () => ({ username: REGISTRY_USER, password: registry.password, serverAddress: proxy.host }),
      retryDelaysMs: [100, 200, 400],
      signal,
      stallMs: 2000,
    });
    return { ms: performance.now() - started, proxy };
  } catch (error) {
    return { error: error as UserError, ms: performance.now() - started, proxy };
  } finally {
    await proxy.close();
  }
}

describe.skipIf(!docker)(`push through a faulty registry ${reason ?? ''}`, () => {
  beforeAll(async () => {
    registry = await startRegistry();
    await buildTinyImage(docker!, LOCAL);
  });
  afterAll(async () => {
    await registry?.stop();
    await docker!
      .getImage(LOCAL)
      .remove({ force: true })
      .catch(() => undefined);
  });

  async function leftovers(proxy: FaultProxy): Promise<string[]> {
    const images = await docker!.listImages({ filters: JSON.stringify({ reference: [`${proxy.host}/*`] }) });
    return images.flatMap((image) => image.RepoTags ?? []);
  }

  // Each case: the fault, the first line of the error, how many attempts the policy allows.
  const cases: Array<[string, Fault, RegExp]> = [
    [
      'answers 500 from the 3rd request on',
      { kind: 'status', status: 500, from: 3 },
      /^push to 127\.0\.0\.1:\d+ failed after 4 attempts: the registry failed the upload of layer \w+ \(the engine began retrying\)$/,
    ],
    [
      'answers 503 to every request',
      { kind: 'status', status: 503, from: 1 },
      /^push to 127\.0\.0\.1:\d+ failed after 4 attempts: the registry failed the upload of layer \w+ \(the engine began retrying\)$/,
    ],
    [
      'resets every connection',
      { kind: 'reset', from: 1 },
      /^push to 127\.0\.0\.1:\d+ failed after 4 attempts: .*connection reset by peer$/,
    ],
    [
      'refuses connections',
      { kind: 'refuse', from: 1 },
      /^push to 127\.0\.0\.1:\d+ failed after 4 attempts: .*connection refused$/,
    ],
    [
      'accepts and never answers',
      { kind: 'stall', from: 1 },
      /^push to 127\.0\.0\.1:\d+ failed after 4 attempts: no progress from the engine for 2 s$/,
    ],
  ];

  it.each(cases)(
    'a registry that %s: bounded retries, then exit 5 and one line naming the registry',
    async (_name, fault, firstLine) => {
      const { error, ms, proxy } = await pushThrough(fault, `faults-${fault.kind}-${fault.from}`);
      expect(error).toBeInstanceOf(UserError);
      expect(error!.exitCode).toBe(ExitCode.pushFailed);
      expect(error!.message.split('\n')[0]).toMatch(firstLine);
      expect(error!.message).toContain(proxy.host);
      // Bounded: 4 attempts and 0.7 s of pauses, each attempt at most the 2 s stall bound (the engine's own retries would take minutes).
      expect(ms).toBeLessThan(20_000);
      expect(await leftovers(proxy)).toEqual([]);
    },
    60_000,
  );

  it('Ctrl-C while the registry stalls: interrupted (130) at once, and the tag it added is removed', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('interrupted')), 1000);
    const { error, ms, proxy } = await pushThrough({ kind: 'stall', from: 1 }, 'faults-ctrl-c', controller.signal);
    expect(error!.exitCode).toBe(ExitCode.interrupted);
    expect(error!.message).toBe('push interrupted');
    expect(ms).toBeLessThan(1900);
    expect(await leftovers(proxy)).toEqual([]);
  }, 60_000);

  it('one reset connection is retried and the push succeeds', async () => {
    const { error, proxy } = await pushThrough({ kind: 'reset', from: 1, once: true }, 'faults-reset-once');
    expect(error).toBeUndefined();
    expect(proxy.faulted).toBe(1);
    // A successful push keeps its tag, as docker push does; this test removes it.
    await docker!.getImage(`${proxy.host}/faults-reset-once:v1`).remove({ noprune: true });
    expect(await leftovers(proxy)).toEqual([]);
  }, 60_000);
});
