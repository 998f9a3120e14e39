#!/usr/bin/env node
// How much `tslambda --version` and `tslambda --help` cost over starting Node itself (`node -e 0`).
// Alternates the commands so machine noise hits each alike; prints medians. `--quick` for fewer runs.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/tslambda.js', import.meta.url));
const runs = process.argv.includes('--quick') ? 10 : 40;
const cases = {
  'node -e 0': ['-e', '0'],
  'tslambda --version': [bin, '--version'],
  'tslambda --help': [bin, '--help'],
};
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
    times[name].push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times['node -e 0']);
console.log(`CLI start-up, median of ${runs} alternating runs (node ${process.version})`);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(`  ${name.padEnd(20)} ${m.toFixed(1).padStart(7)} ms  (+${(m - base).toFixed(1)} ms over node -e 0)`);
}
