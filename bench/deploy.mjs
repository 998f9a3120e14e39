#!/usr/bin/env node
// Wall time of a no-op `tslambda deploy` (nothing changed): the build inputs hash to an image the engine has
// already pushed, GetFunction says the function runs it, so nothing is built, pushed or updated. Real engine and
// registry, fake AWS endpoint.
// Target: 1.5 s or less. `--quick` for fewer runs. Compiles src/ first so the numbers are for the current code.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = process.argv.includes('--quick') ? 5 : 15;
const TARGET_MS = 1500;
const BASE_IMAGE = process.env.TSLAMBDA_TEST_BASE_IMAGE ?? 'tslambda-test-base:node20';

// tsc writes dist/ even when another file in progress has type errors; only a missing CLI is fatal.
spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], {
  stdio: 'ignore',
});
// bin/tslambda.js starts the bundle of dist/ made from src/ (scripts/build-cli.mjs), so it is made again too.
spawnSync(process.execPath, [join(root, 'scripts/build-cli.mjs')], { stdio: 'inherit' });

const work = await mkdtemp(join(tmpdir(), 'tslambda-bench-deploy-'));
// The test helpers are TypeScript: bundle them once for plain node.
await build({
  entryPoints: {
    fakeAws: join(root, 'test/support/fake-aws/index.ts'),
    registry: join(root, 'test/support/registry.ts'),
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

const registry = await startRegistry();
const aws = await startFakeAws({ registry: { host: registry.host, password: registry.password } });
aws.ecr.addRepository('bench-deploy');
aws.lambda.addFunction({ name: 'bench-deploy' });
aws.lambda.behaviour.updatePolls = 1;
const project = join(work, 'project');
await import('node:fs/promises').then((fs) => fs.mkdir(project));
await writeFile(
  join(project, 'lambda.config.json'),
  JSON.stringify({ functionName: 'bench-deploy', baseImage: BASE_IMAGE }),
);
await writeFile(join(project, 'index.js'), 'exports.handler = async () => "ok";\n');

const env = { ...process.env, ...aws.env, HOME: work, CI: '1', NO_COLOR: '1' };
// Asynchronous on purpose: the fake AWS endpoint answers from this very process.
const deploy = () =>
  new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(root, 'bin/tslambda.js'), 'deploy', '--tag', 'bench'], {
      cwd: project,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`deploy exited with ${code}:\n${stderr}`));
      else resolve({ ms, stderr });
    });
  });

try {
  const first = await deploy(); // builds, pushes every layer, updates the function
  const times = [];
  aws.calls.length = 0;
  let sample = '';
  for (let i = 0; i < runs; i++) {
    const { ms, stderr } = await deploy();
    if (!stderr.includes('is up to date')) throw new Error(`run ${i} was not a no-op:\n${stderr}`);
    times.push(ms);
    sample = stderr;
  }
  if (aws.operations().includes('UpdateFunctionCode')) throw new Error('a no-op deploy called UpdateFunctionCode');
  if (aws.unexpected.length) throw new Error(`fake AWS saw unexpected requests: ${aws.unexpected.join('; ')}`);
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`no-op tslambda deploy (real engine + local registry + fake AWS), ${runs} runs, node ${process.version}`);
  console.log(`  first deploy (build + push + update)  ${first.ms.toFixed(0)} ms`);
  console.log(
    `  no-op deploy  median ${median.toFixed(0)} ms   min ${sorted[0].toFixed(0)} ms   max ${sorted.at(-1).toFixed(0)} ms   target ≤ ${TARGET_MS} ms ${median <= TARGET_MS ? 'met' : 'MISSED'}`,
  );
  console.log(
    `  AWS calls per no-op deploy: ${aws
      .operations()
      .slice(0, aws.calls.length / runs)
      .join(', ')} (${aws.calls.length} over ${runs} runs)`,
  );
  console.log(
    '  last run printed:\n' +
      sample
        .trimEnd()
        .split('\n')
        .map((l) => `    | ${l}`)
        .join('\n'),
  );
} finally {
  await aws.close();
  await registry.stop();
  // The images the runs tagged, so repeated benchmarks do not pile them up in the engine.
  const { default: Docker } = await import('dockerode');
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const images = await docker
    .listImages({ filters: JSON.stringify({ reference: ['bench-deploy:*', `${registry.host}/bench-deploy:*`] }) })
    .catch(() => []);
  for (const image of images)
    await docker
      .getImage(image.Id)
      .remove({ force: true })
      .catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}
