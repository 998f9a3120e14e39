#!/usr/bin/env node
// Benchmark of the runtime loop (runtime/bootstrap.cjs) against a bare node:http keep-alive loop and, when it is
// installed under .tmp/ric, AWS's aws-lambda-ric: throughput and client CPU on tiny, 100 KB and 1 MB events, cold
// start against `node -e 0`, and a fresh process doing 1,000 invocations. Runs alternate between clients; every
// response body is checked byte for byte against its event.
// Client CPU per invocation is the median of 10 windows of each run (warm-up excluded), then of the rounds.
// Usage: node bench/runtime.mjs [--quick] [--rounds=N] [--clients=tslambda,bare,aws-lambda-ric] [--strict]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startBenchApi } from './runtime/api-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const TASK_ROOT = `${root}bench/runtime/task`;
const RIC_BIN = `${root}.tmp/ric/node_modules/aws-lambda-ric/bin/index.mjs`;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const strict = args.includes('--strict');
const option = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const rounds = Number(option('rounds', quick ? 1 : 3));

const CLIENTS = {
  tslambda: { args: [`${root}runtime/bootstrap.cjs`, 'index.handler'], available: true },
  bare: { args: [`${root}bench/runtime/bare-loop.cjs`, 'index.handler'], available: true },
  'aws-lambda-ric': { args: [RIC_BIN, 'index.handler'], available: existsSync(RIC_BIN), why: 'not installed: (mkdir -p .tmp/ric && cd .tmp/ric && npm init -y && npm install aws-lambda-ric)' },
};
const wanted = option('clients', Object.keys(CLIENTS).join(',')).split(',');
const clients = wanted.filter((name) => CLIENTS[name]?.available);

const PAD_UNIT = 'lorem ipsum dolor sit amet, é ü ß 日本 🌍 ';
function paddedEvent(bytes) {
  const pad = PAD_UNIT.repeat(Math.ceil(bytes / Buffer.byteLength(PAD_UNIT)));
  return (i) => Buffer.from(`{"i":${i},"pad":"${pad}"}`);
}
const tinyEvent = (i) => Buffer.from(`{"i":${i},"msg":"hello"}`);

const WORKLOADS = [
  { name: 'tiny event', makeEvent: tinyEvent, warmup: quick ? 500 : 2000, count: quick ? 3000 : 20000 },
  { name: '100 KB event', makeEvent: paddedEvent(100 * 1024), warmup: quick ? 50 : 200, count: quick ? 300 : 2000 },
  { name: '1 MB event', makeEvent: paddedEvent(1024 * 1024), warmup: quick ? 10 : 30, count: quick ? 50 : 300 },
];
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
const clientEnv = (api) => ({ PATH: process.env.PATH, AWS_LAMBDA_RUNTIME_API: api, LAMBDA_TASK_ROOT: TASK_ROOT, _HANDLER: 'index.handler' });

function spawnClient(name, api) {
  return spawn(process.execPath, CLIENTS[name].args, { cwd: TASK_ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: clientEnv(api) });
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

/**
 * One client, one workload: throughput between the end of the warm-up and the last response, and client CPU per
 * invocation (user + sys of all its threads) as the median over CPU_WINDOWS windows of that span.
 */
async function runLoad(name, { makeEvent, warmup, count }) {
  const marks = {};
  const windows = [];
  let child = null;
  const windowSize = warmup === 0 ? 0 : Math.floor(count / CPU_WINDOWS);
  const api = await startBenchApi({
    makeEvent,
    warmup,
    count,
    windowSize,
    onMark: (mark) => {
      const sample = { t: performance.now(), cpu: child === null ? NaN : cpuNs(child.pid) };
      if (mark === 'window') windows.push(sample);
      else marks[mark] = sample;
    },
  });
  const spawnedAt = performance.now();
  child = spawnClient(name, api.address);
  const died = new Promise((_, reject) => child.once('exit', (code, signal) => reject(new Error(`${name} exited early (${code ?? signal})`))));
  try {
    const { failures } = await Promise.race([api.done, died]);
    if (failures.length > 0) throw new Error(`${name}: ${failures.length} wrong responses, first: ${failures[0]}`);
  } finally {
    await stop(child);
    await api.close();
  }
  const start = warmup === 0 ? { t: spawnedAt, cpu: 0 } : marks['measure-start'];
  const end = marks['measure-end'];
  const seconds = (end.t - start.t) / 1000;
  const edges = [start, ...windows, end];
  const perWindow = [];
  for (let i = 1; i < edges.length; i++) {
    const n = i < edges.length - 1 ? windowSize : count - windowSize * windows.length;
    if (n > 0) perWindow.push((edges[i].cpu - edges[i - 1].cpu) / n / 1000);
  }
  return { perSecond: count / seconds, cpuUs: median(perWindow), wallMs: end.t - start.t, cpuMs: (end.cpu - start.cpu) / 1e6 };
}

/** Spawn to first /next (handler loaded), in ms. */
async function coldStart(name) {
  let reached;
  const firstNext = new Promise((resolve) => (reached = resolve));
  const api = await startBenchApi({ makeEvent: tinyEvent, warmup: 0, count: 1, onMark: (m) => m === 'first-next' && reached(performance.now()) });
  const spawnedAt = performance.now();
  const child = spawnClient(name, api.address);
  const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before asking for work`))));
  try {
    return (await Promise.race([firstNext, exited])) - spawnedAt;
  } finally {
    await stop(child);
    await api.close();
  }
}

/** Spawn to exit of `node -e 0`, in ms. */
async function nodeBaseline() {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['-e', '0'], { cwd: TASK_ROOT, stdio: 'ignore', env: clientEnv('127.0.0.1:9') });
  await new Promise((resolve) => child.once('exit', resolve));
  return performance.now() - spawnedAt;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rotate = (xs, n) => xs.map((_, i) => xs[(i + n) % xs.length]);
const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

async function main() {
  console.log(`machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}, node ${process.version}`);
  console.log(`clients: ${clients.join(', ')}${wanted.filter((n) => !clients.includes(n)).map((n) => `; ${n} skipped (${CLIENTS[n]?.why ?? 'unknown client'})`).join('')}`);
  console.log(`mode: ${quick ? 'quick' : 'full'}, ${rounds} alternating round(s)\n`);

  const results = {};
  for (const workload of WORKLOADS) {
    results[workload.name] = Object.fromEntries(clients.map((c) => [c, []]));
    for (let round = 0; round < rounds; round++) {
      for (const name of rotate(clients, round)) results[workload.name][name].push(await runLoad(name, workload));
    }
  }

  const cold = Object.fromEntries([...clients, 'node -e 0'].map((c) => [c, []]));
  for (let i = 0; i < COLD_SAMPLES; i++) {
    for (const name of rotate([...clients, 'node -e 0'], i)) cold[name].push(name === 'node -e 0' ? await nodeBaseline() : await coldStart(name));
  }

  const fresh = Object.fromEntries(clients.map((c) => [c, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of rotate(clients, round)) fresh[name].push(await runLoad(name, { makeEvent: tinyEvent, warmup: 0, count: 1000 }));
  }

  const rows = [];
  for (const workload of WORKLOADS) {
    const bare = median(results[workload.name].bare?.map((r) => r.perSecond) ?? [NaN]);
    for (const name of clients) {
      const runs = results[workload.name][name];
      const perSecond = median(runs.map((r) => r.perSecond));
      rows.push([workload.name, name, workload.count, fmt(perSecond), `${fmt(perSecond / bare, 2)}×`, fmt(median(runs.map((r) => r.cpuUs)), 1)]);
    }
  }
  table(['workload (medians)', 'client', 'invocations', 'inv/s', 'vs bare', 'client CPU µs/inv'], rows);

  console.log('');
  const base = median(cold['node -e 0']);
  table(
    ['cold start (spawn → first /next)', 'median ms', 'p10 ms', 'p90 ms', 'vs node -e 0'],
    Object.entries(cold).map(([name, xs]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return [name, fmt(median(xs), 1), fmt(sorted[Math.floor(xs.length * 0.1)], 1), fmt(sorted[Math.floor(xs.length * 0.9)], 1), name === 'node -e 0' ? '' : `+${fmt(median(xs) - base, 1)} ms`];
    }),
  );

  console.log('');
  table(
    ['fresh process, 1,000 tiny invocations', 'spawn → last response ms', 'CPU ms', 'CPU µs/inv'],
    clients.map((name) => [name, fmt(median(fresh[name].map((r) => r.wallMs)), 1), fmt(median(fresh[name].map((r) => r.cpuMs)), 1), fmt(median(fresh[name].map((r) => r.cpuUs)), 1)]),
  );

  if (!clients.includes('tslambda') || !clients.includes('bare')) return;
  const tiny = results['tiny event'];
  const ratio = median(tiny.tslambda.map((r) => r.perSecond)) / median(tiny.bare.map((r) => r.perSecond));
  const cpu = median(tiny.tslambda.map((r) => r.cpuUs));
  const coldDelta = median(cold.tslambda) - base;
  const targets = [
    [`throughput ≥ 1.35× bare on tiny events`, `${ratio.toFixed(2)}×`, ratio >= 1.35],
    [`client CPU ≤ 95 µs per tiny invocation`, `${cpu.toFixed(1)} µs`, cpu <= 95],
    [`cold start within 7 ms of node -e 0`, `+${coldDelta.toFixed(1)} ms`, coldDelta <= 7],
  ];
  console.log('');
  table(['target', 'measured', 'met'], targets.map(([t, m, ok]) => [t, m, ok ? 'yes' : 'NO']));
  if (strict && targets.some(([, , ok]) => !ok)) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err.message);
  process.exitCode = 1;
});
