// Ctrl-C and SIGTERM in the stages process.test.ts does not reach: a real `push` process mid-push, invoke-local
// --watch once it watches, and init at its questions (on a terminal, as a person answers them). Each ends with 130,
// its one line, within a bound, and leaves nothing: no file init would have written, no task root, no container,
// no tag on the registry's side, nothing in a private HOME or TMPDIR.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, firstErrorLine, runProcess } from '../support/cli-process.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { type FakeAws, startFakeAws } from '../support/fake-aws/index.js';
import { startFaultProxy, type FaultProxy } from '../support/proxy.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { runsWhen } from '../support/skips.js';
import { makeProject } from '../support/temp-project.js';

const { docker, reason } = await dockerForTests();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/** util-linux `script` gives init the terminal its questions need. */
const hasScript = spawnSync('script', ['--version']).status === 0;

let home: string;
let temp: string;
const isolated = () => ({ HOME: home, TMPDIR: temp });

/** Processes whose working folder is under `dir` (a runtime left running in a task root would be one). */
async function processesIn(dir: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const inside = await Promise.all(
    pids.map(async (pid) => ((await readlink(`/proc/${pid}/cwd`).catch(() => '')).startsWith(dir) ? [+pid] : [])),
  );
  return inside.flat();
}

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tslambda-signals-home-'));
  temp = await mkdtemp(join(tmpdir(), 'tslambda-signals-tmp-'));
});
afterEach(async () => {
  try {
    expect(await readdir(temp)).toEqual([]);
    expect(await readdir(home)).toEqual([]);
    expect(await processesIn(temp)).toEqual([]);
  } finally {
    await rm(home, { recursive: true, force: true });
    await rm(temp, { recursive: true, force: true });
  }
});

describe(
  'init interrupted at a question',
  runsWhen('init on a terminal', hasScript ? undefined : 'no util-linux `script` to give init a terminal'),
  () => {
    /** Runs init under `script` (a pseudo-terminal); once it asks for the name, `interrupt` stops it. */
    function initOnTerminal(dir: string, interrupt: (child: { pid: number; write: (s: string) => void }) => void) {
      const started = performance.now();
      const child = spawn('script', ['-qfec', `exec '${BIN}' init '${dir}'`, '/dev/null'], {
        env: { ...process.env, ...isolated(), NO_COLOR: '1', CI: '' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      let asked = false;
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (asked || !output.includes('Function name')) return;
        asked = true;
        // The shell `script` starts is replaced (exec) by tslambda: its only child is the CLI.
        void readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').then((children) =>
          interrupt({ pid: Number(children.trim()), write: (s) => child.stdin.write(s) }),
        );
      });
      const bound = setTimeout(() => child.kill('SIGKILL'), 20_000);
      return new Promise<{ exitCode: number | null; output: string; ms: number; asked: boolean }>((resolve) =>
        child.on('close', (exitCode) => {
          clearTimeout(bound);
          resolve({ exitCode, output, ms: performance.now() - started, asked });
        }),
      );
    }

    it.each([
      ['Ctrl-C typed at the question', (cli: { write: (s: string) => void }) => cli.write('\u0003')],
      ['SIGTERM', (cli: { pid: number }) => process.kill(cli.pid, 'SIGTERM')],
    ] as const)(
      '%s: 130, "interrupted; init wrote nothing", and no folder (it was exit 1, "unexpected failure")',
      async (_name, interrupt) => {
        const dir = join(temp, 'fn');
        const run = await initOnTerminal(dir, interrupt);
        expect(run.asked).toBe(true);
        expect(run.exitCode).toBe(130);
        expect(firstErrorLine(run.output.replace(/\r/g, ''))).toBe('interrupted; init wrote nothing');
        expect(run.ms).toBeLessThan(15_000);
        expect(existsSync(dir)).toBe(false);
      },
    );
  },
);

describe('invoke-local --watch --no-docker, once watching', () => {
  it.each(SIGNALS)('%s: 130, the runtime process and the task root are gone', async (signal) => {
    const project = await makeProject({
      'lambda.config.json': JSON.stringify({ functionName: 'faults-watch', handler: 'index.handler' }),
      'index.mjs': 'export const handler = async () => "watched";',
    });
    const run = await runProcess(['invoke-local', '--watch', '--no-docker', '--cwd', project, '--data', '{}'], {
      env: isolated(),
      boundMs: 30_000,
      // After the first response: the runtime is up and warm in its task root.
      interrupt: { when: /"watched"/, signal },
    });
    expect(run.signalledAt).toBeDefined();
    expect(run.hung).toBe(false);
    expect(run.exitCode).toBe(130);
    expect(run.stderr).toMatch(/^Watching .* \(Ctrl-C to stop\)$/m);
    expect(firstErrorLine(run.stderr)).toBe('interrupted; every container invoke-local started has been removed');
  });
});

describe('invoke-local --watch in containers, once watching', runsWhen('signals: --watch in Docker', reason), () => {
  const functionName = `faults-watch-docker-${process.pid}`;
  afterAll(async () => {
    await docker!
      .getImage(`${functionName}:latest`)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it('SIGINT: 130 and every container of the function removed', async () => {
    const project = await makeProject({
      'lambda.config.json': JSON.stringify({ functionName, handler: 'index.handler', baseImage: BASE_IMAGE }),
      'index.js': 'exports.handler = async () => "watched in a container";',
    });
    const run = await runProcess(['invoke-local', '--watch', '--cwd', project, '--data', '{}'], {
      env: isolated(),
      boundMs: 90_000,
      interrupt: { when: /"watched in a container"/ },
    });
    expect(run.signalledAt).toBeDefined();
    expect(run.hung).toBe(false);
    expect(run.exitCode).toBe(130);
    expect(firstErrorLine(run.stderr)).toBe('interrupted; every container invoke-local started has been removed');
    const containers = await docker!.listContainers({ all: true, filters: { ancestor: [`${functionName}:latest`] } });
    expect(containers).toEqual([]);
  }, 120_000);
});

describe('push interrupted mid-push (a real process)', runsWhen('signals: push', reason), () => {
  const repository = `faults-sig-push-${process.pid}`;
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let aws: FakeAws;
  let project: string;
  beforeAll(async () => {
    registry = await startRegistry();
    // The registry accepts the engine's connections and never answers: the push is under way and stays so.
    const [host, port] = registry.host.split(':');
    proxy = await startFaultProxy({ host: host!, port: Number(port) }, { kind: 'stall', from: 1 });
    aws = await startFakeAws({ registry: { host: proxy.host, password: registry.password } });
    aws.ecr.addRepository(repository);
    project = await makeProject({
      'lambda.config.json': JSON.stringify({ functionName: 'unused', repository, baseImage: BASE_IMAGE }),
      'index.js': 'exports.handler = async () => 1;',
      Dockerfile: `FROM ${BASE_IMAGE}\nCOPY index.js /var/task/\n`,
    });
  });
  afterAll(async () => {
    await aws?.close();
    await proxy?.close();
    await registry?.stop();
    const images = await docker!.listImages({ filters: JSON.stringify({ reference: [`${repository}:*`] }) });
    for (const image of images)
      await docker!
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it.each(SIGNALS)(
    '%s: 130, "push interrupted", and the registry tag it added locally is removed',
    async (signal) => {
      const tag = `sig-${signal.toLowerCase()}`;
      const run = await runProcess(['push', '--tag', tag, '--cwd', project], {
        env: { ...aws.env, ...isolated(), DOCKER_CONFIG: undefined, AWS_PROFILE: undefined },
        boundMs: 60_000,
        interrupt: { when: /^Pushing .* …$/m, signal, afterMs: 1000 },
      });
      expect(run.signalledAt).toBeDefined();
      expect(run.hung).toBe(false);
      expect(run.exitCode).toBe(130);
      expect(firstErrorLine(run.stderr)).toBe('push interrupted');
      // Ended promptly after the signal, not after the stall bound or the cleanup grace.
      expect(run.ms - run.signalledAt!).toBeLessThan(8000);
      const tagged = await docker!.listImages({ filters: JSON.stringify({ reference: [`${proxy.host}/*`] }) });
      expect(tagged.flatMap((image) => image.RepoTags ?? [])).toEqual([]);
    },
    90_000,
  );
});
