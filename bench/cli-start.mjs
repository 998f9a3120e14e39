#!/usr/bin/env node
// How much tslambda's start-up adds to starting Node itself (`node -e 0`): --version, --help, each command's --help,
// and each command up to its first line of output. Every run of a case is paired with a `node -e 0` run just before
// it, so machine noise hits both alike; the figures are medians of the paired differences: wall time to the first
// byte written, and CPU time used up to that first byte (reported by the process itself, see _cpu-at-exit.cjs, so
// a machine busy with other work, which stretches wall time, barely moves it; what a command does after its first
// line does not count). The guard reads CPU time when the machine is loaded.
// Fails (exit 1) when any case adds more than BUDGET_MS, or more than SLACK_MS over the recorded baseline
// (bench/cli-start.baseline.json; `--record` rewrites it). `--quick` for fewer runs; `--only <text>` measures the
// cases whose name holds the text (and records nothing).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUDGET_MS = 60;
const SLACK_MS = 20;
const bin = fileURLToPath(new URL('../bin/tslambda.js', import.meta.url));
// `--before <path to another checkout's bin/tslambda.js>`: its figures, measured in the same rounds, for comparison.
const beforeAt = process.argv.indexOf('--before');
const before = beforeAt === -1 ? undefined : process.argv[beforeAt + 1];
const baselineFile = fileURLToPath(new URL('./cli-start.baseline.json', import.meta.url));
const runs = process.argv.includes('--quick') ? 8 : 25;
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt === -1 ? undefined : process.argv[onlyAt + 1];
const record = process.argv.includes('--record') && only === undefined;

// A project whose commands get as far as their first line without Docker or AWS answering quickly:
// the engine socket does not exist and AWS endpoints refuse connections.
const project = mkdtempSync(join(tmpdir(), 'tslambda-cli-start-'));
writeFileSync(join(project, 'lambda.config.json'), JSON.stringify({ functionName: 'bench-fn', region: 'eu-west-1' }));
writeFileSync(join(project, 'index.mjs'), 'export const handler = async () => ({ ok: true });\n');
const env = {
  ...process.env,
  NO_COLOR: '1',
  DOCKER_HOST: 'unix:///nonexistent/tslambda-bench.sock',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_EC2_METADATA_DISABLED: 'true',
};

// init writes a new function, so each of its runs gets a folder of its own.
let initRuns = 0;
const allCases = {
  'tslambda --version': ['--version'],
  'tslambda --help': ['--help'],
  ...Object.fromEntries(
    ['init', 'build', 'bundle', 'invoke-local', 'dev', 'push', 'deploy'].map((c) => [`${c} --help`, [c, '--help']]),
  ),
  'build: first line': ['build'],
  'bundle: first line': ['bundle'],
  'invoke-local: first line': ['invoke-local', '--data', '{}'],
  'push: first line': ['push'],
  'deploy: first line': ['deploy'],
  'rollback: first line': ['rollback'],
  'init: first line': () => [
    'init',
    join(project, `init-${++initRuns}`),
    '--name',
    'bench-init',
    '--region',
    'eu-west-1',
  ],
};
const cases = Object.fromEntries(
  Object.entries(allCases).filter(([name]) => only === undefined || name.includes(only)),
);

const cpuProbe = fileURLToPath(new URL('./_cpu-at-exit.cjs', import.meta.url));

/** Wall milliseconds from spawn to the first byte the process writes (or to its exit), and its CPU milliseconds. */
function measure(args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-r', cpuProbe, ...args], {
      cwd: project,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let first;
    let cpu = '';
    const mark = () => (first ??= Number(process.hrtime.bigint() - start) / 1e6);
    child.stdout.once('data', mark);
    child.stderr.once('data', mark);
    child.stdout.resume();
    child.stderr.resume();
    child.stdio[3].on('data', (chunk) => (cpu += chunk));
    child.on('error', reject);
    child.on('close', () => resolve({ wall: mark(), cpu: Number(cpu) }));
  });
}

const series = () => Object.fromEntries(Object.keys(cases).map((name) => [name, { wall: [], cpu: [] }]));
const diffs = series();
const beforeDiffs = series();
const floors = { wall: [], cpu: [] };
const paired = async (target, cliBin, args) => {
  const floor = await measure(['-e', '0']);
  const took = await measure([cliBin, ...(typeof args === 'function' ? args() : args)]);
  floors.wall.push(floor.wall);
  floors.cpu.push(floor.cpu);
  target.wall.push(took.wall - floor.wall);
  target.cpu.push(took.cpu - floor.cpu);
};
for (let round = 0; round < runs; round++) {
  for (const [name, args] of Object.entries(cases)) {
    await paired(diffs[name], bin, args);
    if (before) await paired(beforeDiffs[name], before, args);
  }
}
rmSync(project, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round1 = (x) => Math.round(x * 10) / 10;
// A loaded machine stretches wall time far past what start-up costs; then CPU time is the figure that can be trusted.
const loaded = median(floors.wall) > 2 * median(floors.cpu) + 20;
const metric = loaded ? 'cpu' : 'wall';
const figures = Object.fromEntries(Object.entries(diffs).map(([name, d]) => [name, round1(median(d[metric]))]));
const baseline = (() => {
  try {
    return JSON.parse(readFileSync(baselineFile, 'utf8')).addedMs;
  } catch {
    return {};
  }
})();

console.log(
  `CLI start-up over node -e 0 (wall ${median(floors.wall).toFixed(1)} ms, CPU ${median(floors.cpu).toFixed(1)} ms), median of ${runs} paired runs (node ${process.version})`,
);
console.log(
  `  the guard reads ${metric === 'cpu' ? 'CPU time: the machine is loaded (wall time of node -e 0 is over twice its CPU time)' : 'wall time'}`,
);
const failures = [];
for (const [name, added] of Object.entries(figures)) {
  const recorded = baseline[name];
  const notes = [];
  if (added > BUDGET_MS) notes.push(`over the ${BUDGET_MS} ms budget`);
  if (recorded !== undefined && added > recorded + SLACK_MS)
    notes.push(`${(added - recorded).toFixed(1)} ms over the recorded ${recorded} ms`);
  if (notes.length) failures.push(`${name}: ${notes.join(', ')}`);
  const d = diffs[name];
  const other = metric === 'cpu' ? `wall +${median(d.wall).toFixed(1)}` : `CPU +${median(d.cpu).toFixed(1)}`;
  const was = before ? `  before: +${median(beforeDiffs[name][metric]).toFixed(1)} ms` : '';
  const against = `  (${other})${was}${recorded === undefined ? '' : `  (recorded +${recorded} ms)`}`;
  console.log(
    `  ${name.padEnd(26)} +${added.toFixed(1).padStart(6)} ms${against}${notes.length ? `  ✖ ${notes.join(', ')}` : ''}`,
  );
}
if (record) {
  writeFileSync(
    baselineFile,
    `${JSON.stringify({ node: process.version, runs, metric, addedMs: figures }, null, 2)}\n`,
  );
  console.log(`recorded ${baselineFile}`);
} else if (failures.length) {
  console.log(`\nstart-up guard failed:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
}
