#!/usr/bin/env node
// invoke-local --watch: time from saving a TypeScript handler to its new response on stdout, on the host
// (--no-docker) and in Docker (bundle → image rebuild → new container → cold invoke), split into the time until the
// change is noticed (the "↻" line), the image build (the build step's own figure) and the rest.
// `--quick` for fewer saves. Docker runs need an engine and the base image (scripts/base-image.sh).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bin = `${repo}bin/tslambda.js`;
const saves = process.argv.includes('--quick') ? 3 : 10;
const baseImage =
  process.env.TSLAMBDA_TEST_BASE_IMAGE ?? `tslambda-test-base:node${process.versions.node.split('.')[0]}`;
const WAIT_MS = 60_000;

if (!existsSync(`${repo}dist/local/reload/watch.js`))
  spawnSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: 'inherit' });
const { default: Docker } = await import('dockerode');
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const dockerReady = await docker
  .ping()
  .then(() => docker.getImage(baseImage).inspect())
  .then(
    () => true,
    () => false,
  );

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (xs) =>
  `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, n=${xs.length})`;

await measure('host (--no-docker --watch)', ['--no-docker']);
if (dockerReady) await measure('docker (--watch)', []);
else console.log(`docker: skipped (needs an engine and ${baseImage})`);

async function measure(label, flags) {
  const functionName = `bench-watch-${process.pid}-${flags.length}`;
  const project = mkdtempSync(join(tmpdir(), 'tslambda-bench-watch-'));
  mkdirSync(join(project, 'src'));
  writeFileSync(
    join(project, 'lambda.config.json'),
    JSON.stringify({ functionName, handler: 'src/handler.handler', baseImage, timeout: 10 }),
  );
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: functionName, private: true, type: 'module' }));
  writeFileSync(
    join(project, 'src/handler.ts'),
    "import { word } from './word.js';\nexport const handler = async () => ({ word });\n",
  );
  const save = (word) => writeFileSync(join(project, 'src/word.ts'), `export const word: string = '${word}';\n`);
  save('v0');
  const child = spawn(process.execPath, [bin, 'invoke-local', '--cwd', project, '--watch', '--data', '{}', ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const seen = []; // [time, line] of every stderr line
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    for (const line of chunk.toString().split('\n')) if (line) seen.push([performance.now(), line]);
  });
  const until = (test) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; stderr:\n${stderr}`)), WAIT_MS);
      const check = () => {
        if (!test()) return;
        clearTimeout(timer);
        child.stdout.off('data', check);
        child.stderr.off('data', check);
        resolve(performance.now());
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      check();
    });
  const totals = [];
  const noticed = [];
  const builds = [];
  try {
    await until(() => stdout.includes('"v0"'));
    for (let index = 1; index <= saves; index++) {
      const from = seen.length;
      const saved = performance.now();
      save(`v${index}`);
      const answered = await until(() => stdout.includes(`"v${index}"`));
      totals.push(answered - saved);
      const lines = seen.slice(from);
      const reload = lines.find(([, line]) => line.startsWith('↻'));
      if (reload) noticed.push(reload[0] - saved);
      const build = lines
        .map(([, line]) => /^✔ Building .* \((\d+)ms\)$|^✔ Building .* \(([\d.]+)s\)$/.exec(line))
        .find(Boolean);
      if (build) builds.push(build[1] ? Number(build[1]) : Number(build[2]) * 1000);
    }
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
    if (flags.length === 0)
      await docker
        .getImage(`${functionName}:latest`)
        .remove({ force: true })
        .catch(() => undefined);
    rmSync(project, { recursive: true, force: true });
  }
  console.log(`${label}: save → new response ${summary(totals)}`);
  if (noticed.length) console.log(`  change noticed (esbuild's polling watch) ${summary(noticed)}`);
  if (builds.length) console.log(`  image build (bundle layer only changes) ${summary(builds)}`);
}
