// The tslambda process itself, run through its shebang: it ends within a bound after its final error, Ctrl-C
// and SIGTERM give 130, and nothing is left behind (containers, build containers, temp folders, ~/.docker).
import { createServer, type Server } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { firstErrorLine, runProcess } from '../support/cli-process.js';
import { BASE_IMAGE, dockerForTests } from '../support/docker.js';
import { freePort } from '../support/net.js';
import { makeProject } from '../support/temp-project.js';

const { docker, reason } = await dockerForTests();
const NODE_BINS = [
  ['20', process.execPath],
  ['22', join(process.cwd(), '.tmp/nodes/22/bin/node')],
  ['24', join(process.cwd(), '.tmp/nodes/24/bin/node')],
] as const;

let home: string;
let temp: string;
/** A fresh HOME and TMPDIR per case, so that "nothing left" is checked on folders no one else writes. */
const isolated = () => ({ HOME: home, TMPDIR: temp });

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'tslambda-faults-home-'));
  temp = await mkdtemp(join(tmpdir(), 'tslambda-faults-tmp-'));
});
afterEach(async () => {
  try {
    // Nothing left: no temp folder, no ~/.docker (tslambda never logs in), no build or invoke-local container.
    expect(await readdir(temp)).toEqual([]);
    expect(await readdir(home)).toEqual([]);
    if (docker) {
      // Only this suite's functions (all named faults-…): other suites share the engine.
      const containers = await docker.listContainers({ all: true, filters: { label: ['dev.tslambda.invoke-local'] } });
      expect(containers.filter((c) => c.Labels['org.opencontainers.image.title']?.startsWith('faults-'))).toEqual([]);
    }
  } finally {
    await rm(home, { recursive: true, force: true });
    await rm(temp, { recursive: true, force: true });
  }
});

/** A TCP server on a free local port that accepts connections and never answers. */
async function silentServer(): Promise<{ server: Server; port: number }> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('an engine that accepts and never answers', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    ({ server, port } = await silentServer());
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('build: one line naming the engine, exit 3, and the process ends (it used to stay alive)', async () => {
    server.on('connection', (socket) => setTimeout(() => socket.destroy(), 60_000).unref());
    const project = await makeProject({
      'lambda.config.json': JSON.stringify({
        functionName: 'faults-stalled',
        handler: 'index.handler',
        baseImage: BASE_IMAGE,
      }),
      'index.js': 'exports.handler = async () => 1;',
    });
    const run = await runProcess(['build', '--cwd', project], {
      env: { ...isolated(), DOCKER_HOST: `tcp://127.0.0.1:${port}` },
      boundMs: 20_000,
    });
    expect(run.hung).toBe(false);
    expect(run.exitCode).toBe(3);
    expect(firstErrorLine(run.stderr)).toBe(
      `cannot reach the Docker engine at tcp://127.0.0.1:${port}: timed out (no answer to a ping within 5 s)`,
    );
  });
});

describe('invoke-local --env-file on every supported Node', () => {
  it.each(NODE_BINS)("node %s: a missing file is tslambda's usage error, not Node's", async (_major, node) => {
    const project = await makeProject({
      'lambda.config.json': JSON.stringify({
        functionName: 'faults-envfile',
        handler: 'index.handler',
        baseImage: BASE_IMAGE,
      }),
      'index.js': 'exports.handler = async () => process.env.FROM_FILE ?? "unset";',
    });
    const run = await runProcess(
      ['invoke-local', '--no-docker', '--cwd', project, '--env-file', '/missing.env', '--data', '{}'],
      { env: { ...isolated(), PATH: `${join(node, '..')}:${process.env.PATH}` }, boundMs: 20_000 },
    );
    expect(run.exitCode).toBe(2);
    expect(firstErrorLine(run.stderr)).toMatch(/^cannot read --env-file \/missing\.env: /);
  });

  it.each(NODE_BINS)(
    "node %s: an existing file reaches the function, not tslambda's own environment",
    async (_major, node) => {
      const project = await makeProject({
        'lambda.config.json': JSON.stringify({
          functionName: 'faults-envfile',
          handler: 'index.handler',
          baseImage: BASE_IMAGE,
        }),
        'index.mjs': 'export const handler = async () => process.env.FROM_FILE ?? "unset";',
        'dev.env': 'FROM_FILE=from the file\n',
      });
      const run = await runProcess(
        ['invoke-local', '--no-docker', '--cwd', project, '--env-file', 'dev.env', '--data', '{}'],
        { env: { ...isolated(), PATH: `${join(node, '..')}:${process.env.PATH}` }, boundMs: 20_000 },
      );
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toBe('"from the file"');
    },
  );
});

describe('a front whose port is already in use', () => {
  let holder: Server;
  let port: number;
  beforeAll(async () => {
    ({ server: holder, port } = await silentServer());
  });
  afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

  it.each([
    ['invoke-local', '--serve'],
    ['invoke-local', '--http'],
    ['dev', '--serve'],
  ])(
    '%s %s on a taken port: one line naming the port, the fix as hint, exit 2, nothing left',
    async (command, flag) => {
      const project = await makeProject({
        'lambda.config.json': JSON.stringify({ functionName: 'faults-port', handler: 'index.handler' }),
        'index.js': 'exports.handler = async () => "ok";',
      });
      const run = await runProcess([command, '--no-docker', '--cwd', project, flag, String(port)], {
        env: isolated(),
        boundMs: 30_000,
      });
      expect(run.hung).toBe(false);
      expect(run.exitCode).toBe(2);
      expect(firstErrorLine(run.stderr)).toBe(`${flag} cannot listen on port ${port}: it is already in use`);
      expect(run.stderr).toContain(
        `hint: pick another port, e.g. ${flag} ${port + 1}, or stop what holds port ${port}`,
      );
      expect(run.stderr).not.toMatch(/unexpected|\n\s+at /);
    },
  );
});

describe('a runtime that exits before asking for work', () => {
  it('fails the invocation with Runtime.ExitError and exit 12, instead of restarting it forever', async () => {
    const project = await makeProject({
      'lambda.config.json': JSON.stringify({
        functionName: 'faults-noinit',
        handler: 'index.handler',
        baseImage: BASE_IMAGE,
      }),
      'index.js': 'exports.handler = async () => 1;',
      'bad.env': 'NODE_OPTIONS=--not-a-node-option\n',
    });
    const run = await runProcess(
      ['invoke-local', '--no-docker', '--cwd', project, '--env-file', 'bad.env', '--data', '{}'],
      { env: isolated(), boundMs: 20_000 },
    );
    expect(run.hung).toBe(false);
    expect(run.exitCode).toBe(12);
    expect(firstErrorLine(run.stderr)).toMatch(
      /^the runtime exited during the invocation \(Runtime\.ExitError\): RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 9$/,
    );
  });
});

describe.skipIf(!docker)(`Ctrl-C and SIGTERM at each stage ${reason ?? ''}`, () => {
  const functionName = `faults-sig-${process.pid}`;
  let project: string;
  beforeAll(async () => {
    project = await makeProject({
      'lambda.config.json': JSON.stringify({ functionName, handler: 'index.handler', baseImage: BASE_IMAGE }),
      'index.js': 'exports.handler = async () => "ok";',
      // A build step that takes its time, so that the signal lands in the middle of it.
      Dockerfile: `FROM ${BASE_IMAGE}\nRUN ["node", "-e", "setTimeout(() => {}, 20000)"]\nCOPY index.js /var/task/\n`,
    });
  });
  afterAll(async () => {
    await docker!
      .getImage(`${functionName}:latest`)
      .remove({ force: true })
      .catch(() => undefined);
  });

  async function buildContainers(): Promise<number> {
    // The build's step container runs the node -e of our Dockerfile.
    const all = await docker!.listContainers({ all: true });
    return all.filter((c) => c.Command.includes('setTimeout(() => {}, 20000)')).length;
  }

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s during a build step: 130, "interrupted", and the step container is removed',
    async (signal) => {
      const run = await runProcess(['build', '--no-cache', '--cwd', project], {
        env: isolated(),
        boundMs: 30_000,
        interrupt: { when: /Building .*…/, signal, afterMs: 4000 },
      });
      expect(run.signalledAt).toBeDefined();
      expect(run.hung).toBe(false);
      expect(run.exitCode).toBe(130);
      expect(firstErrorLine(run.stderr)).toBe('interrupted');
      // The engine removes the step container after the client hung up (forcerm); give it a moment.
      for (let i = 0; i < 50 && (await buildContainers()) > 0; i++) await new Promise((r) => setTimeout(r, 200));
      expect(await buildContainers()).toBe(0);
    },
  );

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s while invoke-local --serve is serving: 130 and every container removed',
    async (signal) => {
      const port = await freePort();
      const serving = await makeProject({
        'lambda.config.json': JSON.stringify({
          functionName: `${functionName}-serve`,
          handler: 'index.handler',
          baseImage: BASE_IMAGE,
        }),
        'index.js': 'exports.handler = async () => "ok";',
      });
      const run = await runProcess(['invoke-local', '--no-docker', '--cwd', serving, '--serve', String(port)], {
        env: isolated(),
        boundMs: 30_000,
        interrupt: { when: /Serving .* on http/, signal },
      });
      expect(run.signalledAt).toBeDefined();
      expect(run.hung).toBe(false);
      expect(run.exitCode).toBe(130);
      expect(firstErrorLine(run.stderr)).toBe('interrupted');
    },
  );
});
