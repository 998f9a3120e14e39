#!/usr/bin/env node
// Benchmark of the runtime loop (runtime/bootstrap.cjs) against its references in one run: a bare node:http
// keep-alive loop, the simplest raw-socket HTTP/1.1 client, and AWS's aws-lambda-ric 3.x (.tmp/ric3/<node major>)
// and 4.x (.tmp/ric4/24, on Node 24) when installed (scripts/fetch-ric.sh). Throughput and client CPU on 86 B,
// 100 KB, 1 MB and 6 MB events (the handler returns its event, so results are as large), cold start against
// `node -e 0`, and a fresh process doing 1,000 invocations. Runs alternate between clients, each for a few seconds
// per size (see WORKLOADS); every response body is checked byte for byte against its event. Client CPU per
// invocation is the median of 10 windows of each run (warm-up excluded), then of the rounds; throughput and minor
// page faults per invocation (fresh memory touched, what large events cost most) are the medians of the rounds.
// Usage: node bench/runtime.mjs [--quick] [--rounds=N] [--clients=tslambda,bare,raw-socket,ric-3,ric-4]
//        [--sizes=86B,100KB,1MB,6MB] [--before=<a runtime/ folder>] [--no-cold] [--strict]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startBenchApi } from './runtime/api-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const TASK_ROOT = `${root}bench/runtime/task`;
const NODE_MAJOR = process.versions.node.split('.')[0];
const RIC3_DIR = `${root}.tmp/ric3/${NODE_MAJOR}`;
const RIC4_DIR = `${root}.tmp/ric4/24`;
const NODE24 = `${root}.tmp/nodes/24/bin/node`;
// 3.x starts from bin/index.mjs; 4.x is one bundled index.mjs with its addon beside it.
const ricBin = (dir) =>
  [`${dir}/node_modules/aws-lambda-ric/bin/index.mjs`, `${dir}/node_modules/aws-lambda-ric/index.mjs`].find((f) =>
    existsSync(f),
  ) ?? `${dir}/node_modules/aws-lambda-ric/bin/index.mjs`;
// Installed means built: the package lands before its native addon has compiled.
const ricReady = (dir) =>
  existsSync(ricBin(dir)) &&
  ['dist/', 'build/Release/', ''].some((at) => existsSync(`${dir}/node_modules/aws-lambda-ric/${at}rapid-client.node`));
const ricVersion = (dir) => JSON.parse(readFileSync(`${dir}/node_modules/aws-lambda-ric/package.json`, 'utf8')).version;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const strict = args.includes('--strict');
const option = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const rounds = Number(option('rounds', quick ? 1 : 3));

const FETCH_RIC = 'absent: run scripts/fetch-ric.sh (it compiles the native client, a few minutes)';
const CLIENTS = {
  tslambda: { args: [`${root}runtime/bootstrap.cjs`, 'index.handler'], available: true },
  bare: { args: [`${root}bench/runtime/bare-loop.cjs`, 'index.handler'], available: true },
  // --before=<dir>: a runtime/ folder of another checkout, measured side by side as 'before'.
  before: {
    args: [`${option('before', '')}/bootstrap.cjs`, 'index.handler'],
    available: option('before', '') !== '',
    why: 'pass --before=<a runtime/ folder> to measure it',
  },
  'raw-socket': { args: [`${root}bench/runtime/raw-socket-loop.cjs`, 'index.handler'], available: true },
  'ric-3': {
    args: [ricBin(RIC3_DIR), 'index.handler'],
    available: ricReady(RIC3_DIR),
    why: `aws-lambda-ric 3.x for Node ${NODE_MAJOR} ${FETCH_RIC}`,
  },
  // 4.x requires Node 24: it runs on .tmp/nodes/24, so its ratios include the Node version's difference.
  'ric-4': {
    node: NODE24,
    args: [ricBin(RIC4_DIR), 'index.handler'],
    available: ricReady(RIC4_DIR) && existsSync(NODE24),
    why: `aws-lambda-ric 4.x (Node 24) ${FETCH_RIC}`,
  },
};
const wanted = option(
  'clients',
  Object.keys(CLIENTS)
    .filter((c) => c !== 'before' || CLIENTS.before.available)
    .join(','),
).split(',');
const clients = wanted.filter((name) => CLIENTS[name]?.available);
const describeClient = (name) => {
  if (name === 'ric-3') return `ric-3 = aws-lambda-ric ${ricVersion(RIC3_DIR)} on node ${process.version}`;
  if (name === 'ric-4') return `ric-4 = aws-lambda-ric ${ricVersion(RIC4_DIR)} on node 24 (.tmp/nodes/24)`;
  return name;
};

const PAD_UNIT = 'lorem ipsum dolor sit amet, é ü ß 日本 🌍 ';
/** Events of exactly `bytes` bytes of UTF-8 (multi-byte characters included), numbered so each one differs. */
function paddedEvent(bytes) {
  const frame = (i, pad) => `{"i":"${String(i).padStart(8, '0')}","pad":"${pad}"}`;
  const room = bytes - Buffer.byteLength(frame(0, ''));
  let pad = PAD_UNIT.repeat(Math.floor(room / Buffer.byteLength(PAD_UNIT)));
  pad += 'x'.repeat(room - Buffer.byteLength(pad));
  return (i) => Buffer.from(frame(i, pad));
}
const tinyEvent = paddedEvent(86);

// 6 MB is Lambda's limit for a synchronous event and result (6,291,456 bytes); the largest event stays just below.
// Each client runs each size for a time (`seconds`, after a warm-up of `warmupSeconds` and `warmup` invocations) and
// at least `count` invocations, so that large events, at a few per second, still give enough to compare: the
// default run takes about 5 minutes for five clients on a quiet machine (on a loaded one the minimum counts of the
// large sizes stretch it).
const WORKLOADS = [
  { name: '86 B', makeEvent: tinyEvent, warmup: 500, count: 1000, seconds: 2 },
  { name: '100 KB', makeEvent: paddedEvent(100 * 1024), warmup: 20, count: 20, seconds: 2 },
  { name: '1 MB', makeEvent: paddedEvent(1024 * 1024), warmup: 5, count: 5, seconds: 3 },
  { name: '6 MB', makeEvent: paddedEvent(6 * 1024 * 1024 - 1024), warmup: 3, count: 5, seconds: 5 },
]
  .map((w) => (quick ? { ...w, seconds: w.seconds / 4, count: Math.ceil(w.count / 2) } : w))
  .filter((w) => option('sizes', '') === '' || option('sizes', '').split(',').includes(w.name.replace(' ', '')));
const WARMUP_SECONDS = quick ? 0.3 : 1;
const withCold = !args.includes('--no-cold');
const COLD_SAMPLES = quick ? 7 : 21;

/** CPU time (user + sys) of every thread of a process so far, in nanoseconds, from /proc/<pid>/task/<tid>/schedstat. */
function cpuNs(pid) {
  let total = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
    }
  } catch {
    return NaN;
  }
  return total;
}

// Every process gets the same small environment: an inherited NODE_EXTRA_CA_CERTS alone adds ~50 ms to a start.
const clientEnv = (api) => ({
  PATH: process.env.PATH,
  AWS_LAMBDA_RUNTIME_API: api,
  LAMBDA_TASK_ROOT: TASK_ROOT,
  _HANDLER: 'index.handler',
  // What Lambda sets for every function; aws-lambda-ric 4.x refuses to start without them.
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/bench',
  AWS_LAMBDA_LOG_STREAM_NAME: '2026/12/01/[$LATEST]bench',
});

function spawnClient(name, api) {
  return spawn(CLIENTS[name].node ?? process.execPath, CLIENTS[name].args, {
    cwd: TASK_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: clientEnv(api),
  });
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

// CPU per invocation is the median over this many equal windows of the measured run: a burst of other work on
// the machine (its 2 cores are shared with the API server and whatever else runs) inflates a window or two, not
// the median.
const CPU_WINDOWS = 10;

/** Minor page faults of a process so far (fresh memory touched), from /proc/<pid>/stat. */
function minorFaults(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
  } catch {
    return NaN;
  }
}

/**
 * One client, one workload: throughput between the end of the warm-up and the last measured response, client CPU
 * per invocation (user + sys of all its threads) as the median over CPU_WINDOWS windows of that span, and the minor
 * page faults per invocation over the span. A workload with `seconds` runs for that time; without, `count`
 * invocations.
 */
async function runLoad(name, { makeEvent, warmup, count, seconds = 0 }) {
  const marks = {};
  const windows = [];
  let child = null;
  const windowSize = warmup === 0 || seconds > 0 ? 0 : Math.floor(count / CPU_WINDOWS);
  const api = await startBenchApi({
    makeEvent,
    warmup,
    count,
    windowSize,
    seconds,
    warmupSeconds: WARMUP_SECONDS,
    windowMs: (seconds * 1000) / CPU_WINDOWS,
    onMark: (mark, measured) => {
      const pid = child?.pid;
      const sample = { t: performance.now(), cpu: pid === undefined ? NaN : cpuNs(pid), measured };
      if (pid !== undefined) sample.faults = minorFaults(pid);
      if (mark === 'window') windows.push(sample);
      else marks[mark] = sample;
    },
  });
  const spawnedAt = performance.now();
  child = spawnClient(name, api.address);
  const died = new Promise((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`${name} exited early (${code ?? signal})`))),
  );
  let measured;
  try {
    const outcome = await Promise.race([api.done, died]);
    measured = outcome.measured;
    if (outcome.failures.length > 0)
      throw new Error(`${name}: ${outcome.failures.length} wrong responses, first: ${outcome.failures[0]}`);
  } finally {
    await stop(child);
    await api.close();
  }
  const start = warmup === 0 ? { t: spawnedAt, cpu: 0, faults: 0, measured: 0 } : marks['measure-start'];
  const end = marks['measure-end'];
  const edges = [start, ...windows, end];
  const perWindow = [];
  for (let i = 1; i < edges.length; i++) {
    const n = edges[i].measured - edges[i - 1].measured;
    if (n > 0) perWindow.push((edges[i].cpu - edges[i - 1].cpu) / n / 1000);
  }
  return {
    perSecond: measured / ((end.t - start.t) / 1000),
    cpuUs: median(perWindow),
    faults: (end.faults - start.faults) / measured,
    measured,
    wallMs: end.t - start.t,
    cpuMs: (end.cpu - start.cpu) / 1e6,
  };
}

/** Spawn to first /next (handler loaded), in ms. */
async function coldStart(name) {
  let reached;
  const firstNext = new Promise((resolve) => (reached = resolve));
  const api = await startBenchApi({
    makeEvent: tinyEvent,
    warmup: 0,
    count: 1,
    onMark: (m) => m === 'first-next' && reached(performance.now()),
  });
  const spawnedAt = performance.now();
  const child = spawnClient(name, api.address);
  const exited = new Promise((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before asking for work`))),
  );
  try {
    return (await Promise.race([firstNext, exited])) - spawnedAt;
  } finally {
    await stop(child);
    await api.close();
  }
}

/** Spawn to exit of `node -e 0`, in ms. */
async function nodeBaseline(node = process.execPath) {
  const spawnedAt = performance.now();
  const child = spawn(node, ['-e', '0'], { cwd: TASK_ROOT, stdio: 'ignore', env: clientEnv('127.0.0.1:9') });
  await new Promise((resolve) => child.once('exit', resolve));
  return performance.now() - spawnedAt;
}

const loadAverage = () =>
  `load average ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} on ${os.cpus().length} cores`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rotate = (xs, n) => xs.map((_, i) => xs[(i + n) % xs.length]);
const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

async function main() {
  console.log(
    `machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, node ${process.version}`,
  );
  console.log(`clients: ${clients.map(describeClient).join('; ')}`);
  for (const name of wanted.filter((n) => !clients.includes(n)))
    console.log(`REFERENCE ABSENT: ${name}, ${CLIENTS[name]?.why ?? 'unknown client'}`);
  console.log(`mode: ${quick ? 'quick' : 'full'}, ${rounds} alternating round(s), ${loadAverage()}\n`);

  const results = {};
  for (const workload of WORKLOADS) {
    results[workload.name] = Object.fromEntries(clients.map((c) => [c, []]));
    for (let round = 0; round < rounds; round++) {
      for (const name of rotate(clients, round)) results[workload.name][name].push(await runLoad(name, workload));
    }
  }
  printThroughput(results);
  console.log(`\nafter the throughput runs: ${loadAverage()}`);
  if (!withCold) return;

  const cold = await coldStarts();
  const fresh = Object.fromEntries(clients.map((c) => [c, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of rotate(clients, round))
      fresh[name].push(await runLoad(name, { makeEvent: tinyEvent, warmup: 0, count: 1000 }));
  }
  console.log('');
  table(
    ['fresh process, 1,000 86 B invocations', 'spawn → last response ms', 'CPU ms', 'CPU µs/inv'],
    clients.map((name) => [
      name,
      fmt(median(fresh[name].map((r) => r.wallMs)), 1),
      fmt(median(fresh[name].map((r) => r.cpuMs)), 1),
      fmt(median(fresh[name].map((r) => r.cpuUs)), 1),
    ]),
  );
  checkTargets(results, cold);
}

const rateText = (x) => fmt(x, x < 100 ? 1 : 0);

/**
 * Throughput, CPU and page faults per client and size, each client's ratio to bare and to the raw-socket client,
 * then tslambda's ratio to every reference, size by size.
 */
function printThroughput(results) {
  const rows = [];
  const summary = [];
  const references = clients.filter((c) => c !== 'tslambda');
  for (const workload of WORKLOADS) {
    const rate = (name) => median(results[workload.name][name]?.map((r) => r.perSecond) ?? [NaN]);
    for (const name of clients) {
      const runs = results[workload.name][name];
      rows.push([
        workload.name,
        name,
        runs.map((r) => r.measured).join('+'),
        rateText(rate(name)),
        `${fmt(rate(name) / rate('bare'), 2)}×`,
        `${fmt(rate(name) / rate('raw-socket'), 2)}×`,
        fmt(median(runs.map((r) => r.cpuUs)), 1),
        fmt(median(runs.map((r) => r.faults))),
      ]);
    }
    summary.push([workload.name, ...references.map((c) => `${fmt(rate('tslambda') / rate(c), 2)}×`)]);
  }
  table(
    [
      'event = result (medians)',
      'client',
      'invocations',
      'inv/s',
      'vs bare',
      'vs raw-socket',
      'client CPU µs/inv',
      'page faults/inv',
    ],
    rows,
  );
  if (!clients.includes('tslambda')) return;
  console.log('');
  table(['tslambda throughput vs', ...references], summary);
}

/** Spawn → first /next of each client, alternating with `node -e 0` (and Node 24's when ric-4 runs on it). */
async function coldStarts() {
  const baselines = clients.includes('ric-4') ? ['node -e 0', 'node24 -e 0'] : ['node -e 0'];
  const names = [...clients, ...baselines];
  const cold = Object.fromEntries(names.map((c) => [c, []]));
  for (let i = 0; i < COLD_SAMPLES; i++) {
    for (const name of rotate(names, i)) {
      if (name === 'node -e 0') cold[name].push(await nodeBaseline());
      else if (name === 'node24 -e 0') cold[name].push(await nodeBaseline(NODE24));
      else cold[name].push(await coldStart(name));
    }
  }
  console.log('');
  const base = (name) => median(cold[name === 'ric-4' ? 'node24 -e 0' : 'node -e 0']);
  table(
    ['cold start (spawn → first /next)', 'median ms', 'p10 ms', 'p90 ms', 'vs its node -e 0'],
    Object.entries(cold).map(([name, xs]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return [
        name,
        fmt(median(xs), 1),
        fmt(sorted[Math.floor(xs.length * 0.1)], 1),
        fmt(sorted[Math.floor(xs.length * 0.9)], 1),
        baselines.includes(name) ? '' : `${median(xs) >= base(name) ? '+' : ''}${fmt(median(xs) - base(name), 1)} ms`,
      ];
    }),
  );
  cold.base = base('tslambda');
  return cold;
}

function checkTargets(results, cold) {
  if (!clients.includes('tslambda') || !clients.includes('bare') || results['86 B'] === undefined) return;
  const rate = (size, name) => median(results[size][name].map((r) => r.perSecond));
  const tiny = results['86 B'];
  const ratio = rate('86 B', 'tslambda') / rate('86 B', 'bare');
  const cpu = median(tiny.tslambda.map((r) => r.cpuUs));
  const coldDelta = median(cold.tslambda) - cold.base;
  const targets = [
    [`throughput ≥ 1.35× bare on 86 B events`, `${ratio.toFixed(2)}×`, ratio >= 1.35],
    [`client CPU ≤ 95 µs per 86 B invocation`, `${cpu.toFixed(1)} µs`, cpu <= 95],
    [`cold start within 7 ms of node -e 0`, `+${coldDelta.toFixed(1)} ms`, coldDelta <= 7],
  ];
  if (clients.includes('raw-socket')) {
    for (const workload of WORKLOADS) {
      const r = rate(workload.name, 'tslambda') / rate(workload.name, 'raw-socket');
      // 3% is the noise of medians of 3 alternating rounds on this shared machine.
      targets.push([`${workload.name}: throughput ≥ the raw-socket client`, `${r.toFixed(2)}×`, r >= 0.97]);
    }
  }
  console.log('');
  table(
    ['target', 'measured', 'met'],
    targets.map(([t, m, ok]) => [t, m, ok ? 'yes' : 'NO']),
  );
  if (strict && targets.some(([, , ok]) => !ok)) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err.message);
  process.exitCode = 1;
});
