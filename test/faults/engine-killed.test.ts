// The engine itself dies: a second dockerd of this file's own (test/support/second-engine.ts) is SIGKILLed by PID
// mid-build and mid-push. tslambda names the lost engine and the step it was in, exits 3, and the process ends;
// the machine's engine is never touched.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { firstErrorLine, runProcess } from '../support/cli-process.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { type FakeAws, startFakeAws } from '../support/fake-aws/index.js';
import { startFaultProxy, type FaultProxy } from '../support/proxy.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { type SecondEngine, secondEngineUnavailable, startSecondEngine } from '../support/second-engine.js';
import { runsWhen } from '../support/skips.js';
import { makeProject } from '../support/temp-project.js';

const { docker, reason: noDocker } = await dockerForTests();
const reason = noDocker ?? secondEngineUnavailable();
const SLOW_STEP = 'setTimeout(() => {}, 30000)';

describe('an engine killed by PID', runsWhen('faults: a second engine killed', reason), () => {
  let engine: SecondEngine;
  let home: string;
  let temp: string;
  beforeAll(async () => {
    engine = await startSecondEngine(docker!);
  }, 120_000);
  afterAll(async () => {
    await engine?.stop();
  }, 120_000);
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'tslambda-killed-home-'));
    temp = await mkdtemp(join(tmpdir(), 'tslambda-killed-tmp-'));
    // Each case starts with a live engine (the previous case killed it).
    if ((await engine.docker.ping().catch(() => undefined)) === undefined) await engine.restart();
  }, 60_000);
  afterEach(async () => {
    try {
      expect(await readdir(temp)).toEqual([]);
      expect(await readdir(home)).toEqual([]);
    } finally {
      await rm(home, { recursive: true, force: true });
      await rm(temp, { recursive: true, force: true });
    }
  });

  /** Kills the engine once `ready` holds (polled), and says whether it did. */
  async function killWhen(ready: () => Promise<boolean>, boundMs = 45_000): Promise<boolean> {
    for (const started = Date.now(); Date.now() - started < boundMs; await new Promise((r) => setTimeout(r, 200))) {
      if (await ready().catch(() => false)) {
        engine.kill();
        return true;
      }
    }
    return false;
  }

  it('mid-build: exit 3, one line naming the lost engine and the RUN step, and the process ends', async () => {
    const project = await makeProject({
      'lambda.config.json': JSON.stringify({ functionName: 'faults-killed-build', baseImage: BASE_IMAGE }),
      'index.js': 'exports.handler = async () => 1;',
      Dockerfile: `FROM ${BASE_IMAGE}\nRUN ["node", "-e", "${SLOW_STEP}"]\nCOPY index.js /var/task/\n`,
    });
    const run = runProcess(['build', '--no-cache', '--cwd', project], {
      env: { HOME: home, TMPDIR: temp, DOCKER_HOST: engine.host },
      boundMs: 60_000,
    });
    const stepRunning = async () =>
      (await engine.docker.listContainers()).some((c) => c.Command.includes('setTimeout'));
    const [killed, result] = await Promise.all([killWhen(stepRunning), run]);
    expect(killed).toBe(true);
    expect(result.hung).toBe(false);
    expect(result.exitCode).toBe(3);
    expect(firstErrorLine(result.stderr)).toMatch(
      /^lost the connection to the Docker engine during the build at step 2\/\d+ \(RUN .*\) \(.+\); the engine stopped or restarted$/,
    );
    expect(result.stderr).toContain('hint: check that the engine runs');
  }, 90_000);

  describe('mid-push', () => {
    const repository = `faults-killed-push-${process.pid}`;
    let registry: TestRegistry;
    let proxy: FaultProxy;
    let aws: FakeAws;
    beforeAll(async () => {
      registry = await startRegistry();
      // The registry accepts and never answers: the push is under way when the engine dies.
      const [host, port] = registry.host.split(':');
      proxy = await startFaultProxy({ host: host!, port: Number(port) }, { kind: 'stall', from: 1 });
      aws = await startFakeAws({ registry: { host: proxy.host, password: registry.password } });
      aws.ecr.addRepository(repository);
    });
    afterAll(async () => {
      await aws?.close();
      await proxy?.close();
      await registry?.stop();
    });

    it('exit 3, one line naming the lost engine and the registry, and the process ends', async () => {
      const project = await makeProject({
        'lambda.config.json': JSON.stringify({ functionName: 'unused', repository, baseImage: BASE_IMAGE }),
        'index.js': 'exports.handler = async () => 1;',
        Dockerfile: `FROM ${BASE_IMAGE}\nCOPY index.js /var/task/\n`,
      });
      let output = '';
      const run = runProcess(['push', '--tag', 'killed', '--cwd', project], {
        env: {
          ...aws.env,
          HOME: home,
          TMPDIR: temp,
          DOCKER_HOST: engine.host,
          DOCKER_CONFIG: undefined,
          AWS_PROFILE: undefined,
        },
        boundMs: 60_000,
        onOutput: (text) => (output = text),
      });
      // Once the push has reached the (stalled) registry, a second later.
      const pushing = async () => /^Pushing .* …$/m.test(output) && proxy.requests > 0;
      const [killed, result] = await Promise.all([killWhen(pushing), run]);
      expect(killed).toBe(true);
      expect(result.hung).toBe(false);
      expect(result.exitCode).toBe(3);
      expect(firstErrorLine(result.stderr)).toMatch(
        /^lost the connection to the Docker engine during the push to 127\.0\.0\.1:\d+ \(.+\); the engine stopped or restarted$/,
      );
    }, 90_000);
  });
});
