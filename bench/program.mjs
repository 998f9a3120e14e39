#!/usr/bin/env node
// Benchmark of program handlers: warm-invocation overhead of the stdio and http protocols against a Node handler on
// the same runtime loop. Each mode echoes a tiny event (checked byte for byte by the benchmark's Runtime API);
// the programs are minimal Node echo programs, so the difference is what the protocol costs.
// Reports, per mode: invocations/s, the loop process's CPU per invocation (median of 10 windows; the program's
// own CPU is not counted) and wall time per invocation (median window), with the overhead over the Node handler.
// Targets (issue 14): stdio adds ≤ 150 µs of loop CPU per small invocation; http adds ≤ 1 ms per invocation.
// Usage: node bench/program.mjs [--quick] [--rounds=N]
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startBenchApi } from './runtime/api-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? (quick ? 1 : 3));
const WARMUP = quick ? 300 : 1000;
const COUNT = quick ? 2000 : 10000;
const WINDOWS = 10;

// The program's port, below the kernel's ephemeral range: a port from listen(0) could go to the benchmark's Runtime API
// server next, and the program's health check would then be answered by it.
async function freePort() {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

const MODES = {
  'node handler': async () => ({ _HANDLER: 'index.handler', LAMBDA_TASK_ROOT: `${root}bench/runtime/task` }),
  stdio: async () => ({
    TSLAMBDA_PROGRAM: JSON.stringify({
      command: [process.execPath, `${root}bench/program/echo-stdio.cjs`],
      protocol: 'stdio',
    }),
  }),
  http: async () => ({
    TSLAMBDA_PROGRAM: JSON.stringify({
      command: [process.execPath, `${root}bench/program/echo-http.cjs`],
      protocol: 'http',
      port: await freePort(),
    }),
  }),
};

function cpuNs(pid) {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`))
    total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
  return total;
}

const tinyEvent = (i) => Buffer.from(`{"i":${i},"msg":"hello"}`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run(mode) {
  const windows = [];
  const marks = {};
  let child = null;
  const windowSize = Math.floor(COUNT / WINDOWS);
  const api = await startBenchApi({
    makeEvent: tinyEvent,
    warmup: WARMUP,
    count: COUNT,
    windowSize,
    onMark: (mark) => {
      const sample = { t: performance.now(), cpu: child === null ? NaN : cpuNs(child.pid) };
      if (mark === 'window') windows.push(sample);
      else marks[mark] = sample;
    },
  });
  const env = {
    PATH: process.env.PATH,
    AWS_LAMBDA_RUNTIME_API: api.address,
    LAMBDA_TASK_ROOT: `${root}bench/runtime/task`,
    ...(await MODES[mode]()),
  };
  child = spawn(process.execPath, [`${root}runtime/bootstrap.cjs`], {
    cwd: env.LAMBDA_TASK_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
  const died = new Promise((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`${mode} exited early (${code ?? signal})`))),
  );
  try {
    const { failures } = await Promise.race([api.done, died]);
    if (failures.length > 0) throw new Error(`${mode}: ${failures.length} wrong responses, first: ${failures[0]}`);
  } finally {
    child.kill('SIGTERM');
    await api.close();
  }
  const edges = [marks['measure-start'], ...windows, marks['measure-end']];
  const cpu = [];
  const wall = [];
  for (let i = 1; i < edges.length; i++) {
    const n = i < edges.length - 1 ? windowSize : COUNT - windowSize * windows.length;
    if (n <= 0) continue;
    cpu.push((edges[i].cpu - edges[i - 1].cpu) / n / 1000);
    wall.push(((edges[i].t - edges[i - 1].t) * 1000) / n);
  }
  return {
    perSecond: COUNT / ((marks['measure-end'].t - marks['measure-start'].t) / 1000),
    cpuUs: median(cpu),
    wallUs: median(wall),
  };
}

async function main() {
  console.log(
    `program handlers, node ${process.version}: ${COUNT} tiny invocations after ${WARMUP} warm-up, ${rounds} round(s)\n`,
  );
  const results = Object.fromEntries(Object.keys(MODES).map((m) => [m, []]));
  for (let round = 0; round < rounds; round++)
    for (const mode of Object.keys(MODES)) results[mode].push(await run(mode));
  const summary = Object.fromEntries(
    Object.entries(results).map(([mode, runs]) => [
      mode,
      {
        perSecond: median(runs.map((r) => r.perSecond)),
        cpuUs: median(runs.map((r) => r.cpuUs)),
        wallUs: median(runs.map((r) => r.wallUs)),
      },
    ]),
  );
  const base = summary['node handler'];
  console.log('mode          inv/s   loop CPU µs/inv  (+ vs node)   wall µs/inv  (+ vs node)');
  for (const [mode, s] of Object.entries(summary)) {
    const plus = (x, b) => (mode === 'node handler' ? '' : `+${(x - b).toFixed(0)}`);
    console.log(
      `${mode.padEnd(12)} ${s.perSecond.toFixed(0).padStart(6)}   ${s.cpuUs.toFixed(1).padStart(14)}  ${plus(s.cpuUs, base.cpuUs).padStart(11)}   ${s.wallUs.toFixed(0).padStart(11)}  ${plus(s.wallUs, base.wallUs).padStart(11)}`,
    );
  }
  const stdioCpu = summary.stdio.cpuUs - base.cpuUs;
  const httpWall = summary.http.wallUs - base.wallUs;
  console.log(
    `\ntargets: stdio adds ${stdioCpu.toFixed(0)} µs loop CPU (≤ 150: ${stdioCpu <= 150 ? 'met' : 'missed'}); http adds ${(httpWall / 1000).toFixed(2)} ms per invocation, median window (≤ 1 ms: ${httpWall <= 1000 ? 'met' : 'missed'})`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
