#!/usr/bin/env node
// `invoke-local --http` warm round trip against calling the handler directly, side by side in one run:
// the same no-op web handler (a) called in-process, (b) behind `--http` with the runtime on the host
// (`--no-docker`, so the figure is the front's and the emulator's, not Docker's networking), measured with a
// keep-alive client at concurrency 1 and 8 (`--concurrency 8`: one warm environment per caller).
// Beside them, the same warm environments through the Invoke API (`--serve`, same process), which shows what the
// emulator round trip costs by itself. The three alternate in rounds, so that machine noise hits them alike.
// Targets (issue 13): p50 added <= 2 ms over the direct call; p99 <= 10 ms at concurrency 8. `--quick` for fewer runs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
const runs = quick ? 300 : 3000;
const warmup = quick ? 100 : 500;

if (!existsSync(`${repo}dist/cli/main.js`))
  spawnSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: 'inherit' });

const HANDLER = `exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ path: event.rawPath, ok: true }),
});
`;

const project = mkdtempSync(join(tmpdir(), 'tslambda-bench-http-'));
writeFileSync(join(project, 'index.js'), HANDLER);
writeFileSync(
  join(project, 'lambda.config.json'),
  JSON.stringify({ functionName: `bench-http-${process.pid}`, handler: 'index.handler', timeout: 10, memorySize: 256 }),
);

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const ms = (value) => `${value.toFixed(3)} ms`;

/** `total` timed calls of `once`, `concurrency` callers at a time; each caller waits for its answer. */
async function measure(once, total, concurrency, times = []) {
  let left = total;
  const caller = async () => {
    while (left-- > 0) {
      const started = performance.now();
      await once();
      times.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  return times;
}

const figures = (times) => ({ p50: percentile(times, 0.5), p99: percentile(times, 0.99) });

/**
 * CPU time (ms) used so far by a process and its descendants (the CLI and its runtime processes), from /proc:
 * on a loaded machine wall time mostly measures the wait for a core, CPU time what a request costs.
 */
function treeCpuMs(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let total = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in 100 Hz ticks
  let children = '';
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  } catch {}
  for (const child of children.split(' ').filter(Boolean)) total += treeCpuMs(Number(child));
  return total;
}
const cpuFigures = { invokeApi: 0, http: 0, calls: 0 };
async function measureCpu(key, once, total) {
  const before = treeCpuMs(cli.pid);
  await measure(once, total, 1);
  cpuFigures[key] += treeCpuMs(cli.pid) - before;
}

const event = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/bench',
  rawQueryString: '',
  headers: { host: '127.0.0.1' },
  requestContext: { http: { method: 'GET', path: '/bench', sourceIp: '127.0.0.1' }, timeEpoch: Date.now() },
  isBase64Encoded: false,
};
const { handler } = createRequire(import.meta.url)(join(project, 'index.js'));
// Direct: what the function costs by itself, with the JSON round trip a caller would pay for its event.
const direct = () => handler(JSON.parse(JSON.stringify(event))).then((result) => JSON.stringify(result));

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const port = await freePort();
const servePort = await freePort();
const cli = spawn(
  process.execPath,
  [
    `${repo}bin/tslambda.js`,
    'invoke-local',
    '--cwd',
    project,
    '--no-docker',
    '--http',
    String(port),
    '--serve',
    String(servePort),
    '--concurrency',
    '8',
    '--quiet',
  ],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
// Shown only when the front never answers: the CLI's own reason.
let cliErrors = '';
cli.stderr.on('data', (chunk) => {
  cliErrors += chunk;
});
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
const viaHttp = () =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/bench', agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
const payload = JSON.stringify(event);
const viaInvokeApi = () =>
  new Promise((resolve, reject) => {
    const path = `/2015-03-31/functions/bench-http-${process.pid}/invocations`;
    const req = request({ host: '127.0.0.1', port: servePort, path, method: 'POST', agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(payload);
  });

try {
  for (let attempt = 0; ; attempt++) {
    const up = await viaHttp().then(
      () => true,
      () => false,
    );
    if (up) break;
    if (attempt > 300) throw new Error(`invoke-local --http did not answer: ${cliErrors.trim()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await measure(viaHttp, warmup, 8);
  await measure(viaInvokeApi, warmup, 8);
  await measure(direct, warmup, 8);
  const rounds = 5;
  const rows = [];
  for (const concurrency of [1, 8]) {
    const samples = { direct: [], invokeApi: [], http: [] };
    for (let round = 0; round < rounds; round++) {
      await measure(direct, runs / rounds, concurrency, samples.direct);
      await measure(viaInvokeApi, runs / rounds, concurrency, samples.invokeApi);
      await measure(viaHttp, runs / rounds, concurrency, samples.http);
    }
    if (concurrency === 1) {
      for (let round = 0; round < rounds; round++) {
        await measureCpu('invokeApi', viaInvokeApi, runs / rounds);
        await measureCpu('http', viaHttp, runs / rounds);
      }
      cpuFigures.calls = runs;
    }
    rows.push({
      concurrency,
      direct: figures(samples.direct),
      invokeApi: figures(samples.invokeApi),
      http: figures(samples.http),
    });
  }
  console.log(`warm round trips, ${runs} per cell, host runtime, keep-alive client (ms)`);
  console.log('concurrency | direct p50 / p99 | --serve Invoke API p50 / p99 | --http p50 / p99 | --http p50 added');
  const pair = ({ p50, p99 }) => `${p50.toFixed(3)} / ${p99.toFixed(3)}`;
  for (const row of rows)
    console.log(
      `${String(row.concurrency).padStart(11)} | ${pair(row.direct)} | ${pair(row.invokeApi)} | ${pair(row.http)} | ${(row.http.p50 - row.direct.p50).toFixed(3)}`,
    );
  const [one, eight] = rows;
  const perCall = (key) => (cpuFigures[key] / cpuFigures.calls).toFixed(3);
  console.log(
    `CPU per call, CLI and runtime processes together: --serve Invoke API ${perCall('invokeApi')} ms, --http ${perCall('http')} ms`,
  );
  const added = one.http.p50 - one.direct.p50;
  console.log(`p50 added at c=1: ${ms(added)} (target <= 2 ms: ${added <= 2 ? 'met' : 'NOT met'})`);
  console.log(`p99 at c=8: ${ms(eight.http.p99)} (target <= 10 ms: ${eight.http.p99 <= 10 ? 'met' : 'NOT met'})`);
} finally {
  agent.destroy();
  cli.kill('SIGINT');
  await new Promise((resolve) => cli.once('exit', resolve));
  rmSync(project, { recursive: true, force: true });
}
