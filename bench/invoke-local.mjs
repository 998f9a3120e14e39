#!/usr/bin/env node
// invoke-local's costs on the real engine, same run, same image (built from test/fixtures/invoke-local):
// 1. warm `--serve` invocation of a no-op handler through the Invoke API (target: median <= 2 ms);
// 2. a cold invoke (container create → start → init → invoke → remove) against a bare run of the same image
//    (create → start `node -e 0` → wait → remove), alternating so machine noise hits both alike.
// `--quick` for fewer runs. Needs a Docker engine and the base image (scripts/base-image.sh).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = `${repo}bin/tslambda.js`;
const quick = process.argv.includes('--quick');
const warmRuns = quick ? 200 : 2000;
const coldRuns = quick ? 3 : 10;
const baseImage =
  process.env.TSLAMBDA_TEST_BASE_IMAGE ?? `tslambda-test-base:node${process.versions.node.split('.')[0]}`;

if (!existsSync(`${repo}dist/cli/main.js`))
  spawnSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: 'inherit' });
const { default: Docker } = await import('dockerode');
const { startEmulator } = await import('../dist/local/api/emulator.js');
const { Environment } = await import('../dist/local/execution/environment.js');
const { containerLauncher } = await import('../dist/local/execution/docker-launcher.js');

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
try {
  await docker.ping();
  await docker.getImage(baseImage).inspect();
} catch (error) {
  console.log(`skipped: needs a Docker engine and ${baseImage} (${error.message})`);
  process.exit(0);
}

const functionName = `bench-invoke-local-${process.pid}`;
const image = `${functionName}:latest`;
const project = mkdtempSync(join(tmpdir(), 'tslambda-bench-'));
cpSync(fileURLToPath(new URL('../test/fixtures/invoke-local/app', import.meta.url)), project, { recursive: true });
writeFileSync(
  join(project, 'lambda.config.json'),
  JSON.stringify({ functionName, handler: 'index.handler', baseImage, timeout: 10, memorySize: 256 }),
);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

try {
  const built = spawnSync(process.execPath, [bin, 'build', '--cwd', project, '--quiet'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0) throw new Error(`tslambda build exited with ${built.status}`);
  await warmServe();
  await coldVersusBare();
} finally {
  await docker
    .getImage(image)
    .remove({ force: true })
    .catch(() => undefined);
  rmSync(project, { recursive: true, force: true });
}

async function warmServe() {
  const port = await freePort();
  const server = spawn(
    process.execPath,
    [bin, 'invoke-local', '--cwd', project, '--no-build', '--quiet', '--serve', String(port)],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const invoke = () =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/2015-03-31/functions/function/invocations', agent },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(Number(process.hrtime.bigint() - started) / 1e6)
              : reject(new Error(`status ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end('{"action":"noop"}');
    });
  try {
    for (let tries = 0; ; tries++) {
      try {
        await invoke();
        break;
      } catch (error) {
        if (tries > 300) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    for (let i = 0; i < Math.min(200, warmRuns / 10); i++) await invoke(); // let the JITs settle
    const times = [];
    for (let i = 0; i < warmRuns; i++) times.push(await invoke());
    const m = median(times);
    console.log(
      `warm --serve invocation of a no-op handler, ${warmRuns} sequential calls (client → Invoke API → emulator → container → back)`,
    );
    console.log(
      `  median ${m.toFixed(2)} ms   p95 ${percentile(times, 0.95).toFixed(2)} ms   p99 ${percentile(times, 0.99).toFixed(2)} ms   target ≤ 2 ms: ${m <= 2 ? 'met' : 'NOT met'}`,
    );
  } finally {
    agent.destroy();
    server.kill('SIGINT');
    await new Promise((resolve) => server.once('exit', resolve));
  }
}

async function coldVersusBare() {
  const cold = [];
  const bare = [];
  const inits = [];
  for (let i = 0; i < coldRuns; i++) {
    bare.push(await bareRun());
    const { total, init } = await coldInvoke();
    cold.push(total);
    inits.push(init);
  }
  const c = median(cold);
  const b = median(bare);
  console.log(`cold invoke vs a bare container run of the same image, median of ${coldRuns} alternating runs`);
  console.log(`  bare run (create, start node -e 0, wait, remove)   ${b.toFixed(1).padStart(7)} ms`);
  console.log(
    `  cold invoke (create, start, init, invoke, remove)  ${c.toFixed(1).padStart(7)} ms  (+${(c - b).toFixed(1)} ms; Init Duration median ${median(inits).toFixed(1)} ms)`,
  );
}

async function bareRun() {
  const started = process.hrtime.bigint();
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['node', '-e', '0'],
    Cmd: [],
    HostConfig: { NetworkMode: 'host' },
  });
  await container.start();
  await container.wait();
  await container.remove({ force: true });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function coldInvoke() {
  const started = process.hrtime.bigint();
  const emulator = await startEmulator({ functionName, timeoutMs: 10_000 });
  const environment = new Environment({
    emulator,
    memorySizeMb: 256,
    launcher: containerLauncher(docker, {
      image,
      env: { AWS_LAMBDA_FUNCTION_NAME: functionName },
      memorySizeMb: 256,
      network: 'host',
    }),
  });
  const result = await environment.invoke('{"action":"noop"}');
  await environment.stop();
  await emulator.close();
  if (result.outcome !== 'success') throw new Error(`cold invoke failed: ${result.payload}`);
  return { total: Number(process.hrtime.bigint() - started) / 1e6, init: result.initDurationMs ?? NaN };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
