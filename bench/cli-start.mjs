#!/usr/bin/env node
// How much tslambda's start-up adds to starting Node itself (`node -e 0`): --version, --help, each command's --help,
// and the time until each command's first line of output. Every run of a case is paired with a `node -e 0` run just
// before it, so machine noise hits both alike; the figure is the median of the paired differences.
// Fails (exit 1) when a case adds more than BUDGET_MS, or more than SLACK_MS over the recorded baseline
// (bench/cli-start.baseline.json; `--record` rewrites it). `--quick` for fewer runs; `--bin <path>` to measure another CLI.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUDGET_MS = 60;
const SLACK_MS = 20;
// `--bin <path>` measures another checkout's CLI (a before/after comparison in one run of the machine).
const binAt = process.argv.indexOf('--bin');
const bin = binAt === -1 ? fileURLToPath(new URL('../bin/tslambda.js', import.meta.url)) : process.argv[binAt + 1];
const baselineFile = fileURLToPath(new URL('./cli-start.baseline.json', import.meta.url));
const runs = process.argv.includes('--quick') ? 8 : 25;
const record = process.argv.includes('--record');

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

const cases = {
  'tslambda --version': ['--version'],
  'tslambda --help': ['--help'],
  ...Object.fromEntries(['init', 'build', 'bundle', 'invoke-local', 'dev', 'push', 'deploy'].map((c) => [`${c} --help`, [c, '--help']])),
  'build: first line': ['build'],
  'invoke-local: first line': ['invoke-local', '--data', '{}'],
  'push: first line': ['push'],
  'deploy: first line': ['deploy'],
};

/** Milliseconds from spawn to the first byte the process writes (or to its exit, when it writes nothing). */
function timeToFirstOutput(args) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let first;
    const mark = () => (first ??= Number(process.hrtime.bigint() - start) / 1e6);
    child.stdout.once('data', mark);
    child.stderr.once('data', mark);
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    // Once the first line is out the rest does not count; end the run rather than wait for timeouts.
    const stop = setInterval(() => first !== undefined && child.kill('SIGKILL'), 5);
    child.on('close', () => {
      clearInterval(stop);
      resolve(mark());
    });
  });
}

const diffs = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
const floors = [];
for (let round = 0; round < runs; round++) {
  for (const [name, args] of Object.entries(cases)) {
    const floor = await timeToFirstOutput(['-e', '0']);
    const took = await timeToFirstOutput([bin, ...args]);
    floors.push(floor);
    diffs[name].push(took - floor);
  }
}
rmSync(project, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const figures = Object.fromEntries(Object.entries(diffs).map(([name, xs]) => [name, Math.round(median(xs) * 10) / 10]));
const baseline = (() => {
  try {
    return JSON.parse(readFileSync(baselineFile, 'utf8')).addedMs;
  } catch {
    return {};
  }
})();

console.log(`CLI start-up over node -e 0 (${median(floors).toFixed(1)} ms), median of ${runs} paired runs (node ${process.version})`);
const failures = [];
for (const [name, added] of Object.entries(figures)) {
  const recorded = baseline[name];
  const notes = [];
  if (added > BUDGET_MS) notes.push(`over the ${BUDGET_MS} ms budget`);
  if (recorded !== undefined && added > recorded + SLACK_MS) notes.push(`${(added - recorded).toFixed(1)} ms over the recorded ${recorded} ms`);
  if (notes.length) failures.push(`${name}: ${notes.join(', ')}`);
  const against = recorded === undefined ? '' : `  (recorded +${recorded} ms)`;
  console.log(`  ${name.padEnd(26)} +${added.toFixed(1).padStart(6)} ms${against}${notes.length ? `  ✖ ${notes.join(', ')}` : ''}`);
}
if (record) {
  writeFileSync(baselineFile, `${JSON.stringify({ node: process.version, runs, addedMs: figures }, null, 2)}\n`);
  console.log(`recorded ${baselineFile}`);
} else if (failures.length) {
  console.log(`\nstart-up guard failed:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
}
