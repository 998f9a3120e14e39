#!/usr/bin/env node
// Deploys of projects of many functions (issue 12): 1 vs 10 vs 30 functions sharing one image, 10 functions with
// distinct images, 10 shared functions in 3 regions; then a repeated (no-op) deploy of the 30. Real engine, one real
// registry per region (behind a proxy that records each request), fake AWS endpoint. Reports wall time, AWS calls
// (and updates), and the bytes of the images pushed (the layer sizes of each manifest pushed, per registry); for the
// repeat, its builds, updates and registry writes. Goals: 30 shared ≤ 2× one function; the no-op deploy of the 30
// in ≤ 2 s with no build, no push and no update.
// `--quick` is the same (each scenario runs once). Compiles src/ first so the numbers are for the current code.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const BASE_IMAGE = process.env.TSLAMBDA_TEST_BASE_IMAGE ?? 'tslambda-test-base:node20';
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1'];
const suffix = Math.random().toString(16).slice(2, 8);

spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
  stdio: 'ignore',
});
const work = await mkdtemp(join(tmpdir(), 'tslambda-bench-many-'));
await build({
  entryPoints: {
    fakeAws: join(root, 'test/support/fake-aws/index.ts'),
    registry: join(root, 'test/support/registry.ts'),
    proxy: join(root, 'test/support/recording-proxy.ts'),
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  outdir: join(work, 'support'),
  outExtension: { '.js': '.mjs' },
  logLevel: 'error',
});
const { startFakeAws } = await import(pathToFileURL(join(work, 'support/fakeAws.mjs')).href);
const { startRegistry } = await import(pathToFileURL(join(work, 'support/registry.mjs')).href);
const { startRecordingProxy } = await import(pathToFileURL(join(work, 'support/proxy.mjs')).href);

/** A registry and the proxy the fake ECR names as its host, so that every request to it is counted. */
async function startPlace() {
  const registry = await startRegistry();
  const proxy = await startRecordingProxy(registry);
  return {
    host: proxy.host,
    password: registry.password,
    manifest: (repository, reference) => registry.manifest(repository, reference),
    writes: () => proxy.writes(),
    reset: () => (proxy.requests.length = 0),
    stop: async () => {
      await proxy.close();
      await registry.stop();
    },
  };
}

/** A project of `count` functions; `distinct`: each in its own folder (its own image), else one folder. */
async function makeProject(name, count, distinct, regions) {
  const dir = join(work, name);
  const functions = {};
  for (let i = 0; i < count; i++) {
    const folder = distinct ? `fn${i}` : '.';
    await mkdir(join(dir, folder), { recursive: true });
    await writeFile(join(dir, folder, `fn${i}.js`), `exports.handler = async () => "fn${i}";\n`);
    functions[`fn${i}`] = { handler: `fn${i}.handler`, ...(distinct ? { context: folder } : {}) };
  }
  const repository = `bench-many-${name}-${suffix}`;
  await writeFile(
    join(dir, 'lambda.config.json'),
    JSON.stringify({ repository, baseImage: BASE_IMAGE, regions, functions }),
  );
  return { dir, repository, names: Object.keys(functions) };
}

const deploy = (cwd, env, extra = []) =>
  new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      [join(root, 'bin/tslambda.js'), 'deploy', '--all', '--no-bundle', '--tag', 'bench', '--json', ...extra],
      { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`deploy exited with ${code}:\n${stderr}`));
      else {
        // One target prints the single-deploy object; many, { targets, summary }.
        const parsed = JSON.parse(stdout);
        resolve({ ms, stderr, result: parsed.targets ? parsed : { targets: [parsed] } });
      }
    });
  });

async function pushedBytes(registries, result) {
  const seen = new Set();
  let bytes = 0;
  for (const target of result.targets) {
    if (!target.imageUri || seen.has(target.imageUri)) continue;
    seen.add(target.imageUri);
    const [host, rest] = [target.imageUri.split('/')[0], target.imageUri.slice(target.imageUri.indexOf('/') + 1)];
    const [repository, digest] = rest.split('@');
    const registry = registries.find((r) => r.host === host);
    const manifest = JSON.parse((await registry.manifest(repository, digest)).body);
    bytes += manifest.config.size + manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
  }
  return bytes;
}

async function scenario(label, count, distinct, regionCount, again = false) {
  const regions = REGIONS.slice(0, regionCount);
  const registries = await Promise.all(regions.map(() => startPlace()));
  const aws = await startFakeAws({
    region: regions[0],
    registry: { host: registries[0].host, password: registries[0].password },
    partitions: regions.slice(1).map((region, i) => ({
      region,
      registry: { host: registries[i + 1].host, password: registries[i + 1].password },
    })),
  });
  try {
    const project = await makeProject(label.replace(/\W+/g, '-'), count, distinct, regions);
    for (const at of aws.partitions) {
      at.lambda.behaviour.updatePolls = 1;
      for (const name of project.names) at.lambda.addFunction({ name });
    }
    const env = { ...process.env, ...aws.env, HOME: work, CI: '1', NO_COLOR: '1' };
    const first = await deploy(project.dir, env);
    const row = {
      scenario: label,
      targets: first.result.targets.length,
      wallMs: Math.round(first.ms),
      awsCalls: aws.calls.length,
      updates: aws.calls.filter((c) => c.operation === 'UpdateFunctionCode').length,
      pushedBytes: await pushedBytes(registries, first.result),
    };
    if (again) {
      aws.calls.length = 0;
      for (const registry of registries) registry.reset();
      const second = await deploy(project.dir, env);
      row.repeatMs = Math.round(second.ms);
      row.repeatBuilds = (second.stderr.match(/✔ Building /g) ?? []).length;
      row.repeatUpdates = aws.calls.filter((c) => c.operation === 'UpdateFunctionCode').length;
      row.repeatAwsCalls = aws.calls.length;
      row.repeatRegistryWrites = registries.reduce((sum, registry) => sum + registry.writes().length, 0);
      // The same no-op with every target at once: how much of its time is the default bound (the CPU count).
      row.repeatAllAtOnceMs = Math.round((await deploy(project.dir, env, ['--concurrency', String(count)])).ms);
    }
    return row;
  } finally {
    await aws.close();
    await Promise.all(registries.map((r) => r.stop()));
  }
}

const rows = [];
const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');
console.log(`load average at the start: ${load()} (2 shared cores: read the ratios, not the seconds)`);
try {
  rows.push(await scenario('1 function', 1, false, 1));
  rows.push(await scenario('10 sharing one image', 10, false, 1));
  rows.push(await scenario('30 sharing one image', 30, false, 1, true));
  rows.push(await scenario('10 distinct images', 10, true, 1));
  rows.push(await scenario('10 sharing, 3 regions', 10, false, 3));
  console.table(rows);
  const ratio = rows[2].wallMs / rows[0].wallMs;
  console.log(`30 sharing one image / 1 function: ${ratio.toFixed(2)}× (goal ≤ 2×)`);
  const noop = rows[2];
  console.log(
    `no-op deploy of 30: ${(noop.repeatMs / 1000).toFixed(2)} s (goal ≤ 2 s), ${noop.repeatBuilds} builds, ` +
      `${noop.repeatRegistryWrites} registry writes, ${noop.repeatUpdates} updates (goal: none of each); ` +
      `with --concurrency 30: ${(noop.repeatAllAtOnceMs / 1000).toFixed(2)} s`,
  );
  console.log(`load average at the end: ${load()}`);
} finally {
  await rm(work, { recursive: true, force: true });
  // The images the runs built and pushed: by repository name, tagged or left with a digest only.
  const listed = spawnSync('docker', ['images', '--format', '{{.Repository}} {{.ID}}'], { encoding: 'utf8' });
  const ids = new Set(
    (listed.stdout ?? '')
      .split('\n')
      .filter((line) => line.includes(`bench-many-`) && line.includes(suffix))
      .map((line) => line.split(' ')[1]),
  );
  if (ids.size > 0) spawnSync('docker', ['rmi', '-f', ...ids], { stdio: 'ignore' });
}
